using System.Runtime.InteropServices;

namespace SemiGan.Kernels;

/// <summary>
/// How libtorch's idle OpenMP threads wait (OMP_WAIT_POLICY, read once when libtorch loads). semigan leaves it
/// unset: GNU OpenMP (which libtorch ships on Linux) then spins a few milliseconds and sleeps, which alone is as
/// fast as spinning (ACTIVE) and lets the idle threads of a run whose share of the cores shrank sleep
/// (<see cref="CoreShare"/>; measurements in docs/running.md). PASSIVE (sleep at once) costs a lone run 10–47 %.
/// A value the user sets is kept and recorded.
/// </summary>
public static class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>The policy in force, for run-info.json and bench.</summary>
    public static string Describe() => Get() is { Length: > 0 } v ? v : "unset (GNU OpenMP: spin briefly, then sleep)";

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
