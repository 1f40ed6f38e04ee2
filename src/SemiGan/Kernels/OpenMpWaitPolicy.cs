using System.Runtime.InteropServices;

namespace SemiGan.Kernels;

/// <summary>
/// libtorch's OpenMP threads spin while they wait for the next parallel region. Alone that costs nothing;
/// beside another torch process on the same cores the spinning threads take the time slices the other
/// process needs, and both collapse (two runs at 2 threads on 2 cores: 70 s per epoch instead of 8.5 s).
/// Passive waiting (the threads sleep until woken) avoids that. The OpenMP runtime reads its environment
/// once, when libtorch is loaded, so this must run before the first torch call; a value the user set is kept.
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";
    public const string Passive = "PASSIVE";

    /// <summary>Sets <see cref="Variable"/> to PASSIVE unless it is set; returns the value in force.</summary>
    public static string Apply()
    {
        string? set = Get();
        if (!string.IsNullOrEmpty(set)) return set;
        Set(Passive);
        return Passive;
    }

    /// <summary>The value the native runtime will see (on Unix .NET's environment is a copy native code never reads).</summary>
    public static string? Get() => OperatingSystem.IsWindows()
        ? Environment.GetEnvironmentVariable(Variable)
        : Marshal.PtrToStringUTF8(getenv(Variable));

    /// <summary>Sets (or, given null, removes) the variable natively and in .NET's copy.</summary>
    public static void Set(string? value)
    {
        if (OperatingSystem.IsWindows()) { Environment.SetEnvironmentVariable(Variable, value); return; }
        int rc = value is null ? unsetenv(Variable) : setenv(Variable, value, 1);
        if (rc != 0) throw new InvalidOperationException($"setenv({Variable}) failed: {Marshal.GetLastPInvokeError()}");
        Environment.SetEnvironmentVariable(Variable, value); // keep .NET's copy (and child processes) in step
    }

    [DllImport("libc", SetLastError = true)] static extern IntPtr getenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
    [DllImport("libc", SetLastError = true)] static extern int setenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
    [DllImport("libc", SetLastError = true)] static extern int unsetenv([MarshalAs(UnmanagedType.LPUTF8Str)] string name);
}
