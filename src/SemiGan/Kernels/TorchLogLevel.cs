using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// The least severe libtorch C++ log message (c10's LOG) that reaches native stderr. On CPUs NNPACK does not support,
/// libtorch 2.10 prints "Could not initialize NNPACK! Reason: Unsupported hardware." on every float32 convolution it
/// considers for NNPACK (346 lines in one baseline epoch of the main job, 11,324 in the whole job). PyTorch's Python
/// start-up applies TORCH_CPP_LOG_LEVEL (c10::initLogging); TorchSharp never does, so the variable alone does nothing.
/// This writes c10's level flag directly: TORCH_CPP_LOG_LEVEL where set, else ERROR (warnings hidden).
/// </summary>
public static class TorchLogLevel
{
    public const string Variable = "TORCH_CPP_LOG_LEVEL";

    /// <summary>semigan's level when the variable is not set: errors only.</summary>
    public const int Default = 2;

    const string Flag = "FLAGS_caffe2_log_level";

    static readonly object gate = new();
    static bool applied;

    /// <summary>
    /// c10's level for a TORCH_CPP_LOG_LEVEL value, as c10::initLogging reads it (INFO, WARNING, ERROR, FATAL or
    /// 0-3, any case); null for a value it does not know.
    /// </summary>
    public static int? Parse(string? value) => value?.Trim().ToUpperInvariant() switch
    {
        "INFO" or "0" => 0,
        "WARNING" or "1" => 1,
        "ERROR" or "2" => 2,
        "FATAL" or "3" => 3,
        _ => null,
    };

    /// <summary>
    /// Sets libtorch's level once per process (later calls return the first result): the variable's level, or
    /// <see cref="Default"/> when it is unset. An unknown value keeps the default and is returned as the warning to
    /// print. Null when the level was set (or c10's flag is not exported: a libtorch built otherwise keeps its own).
    /// </summary>
    public static string? Apply()
    {
        lock (gate)
        {
            if (applied) return null;
            applied = true;
            string? value = Environment.GetEnvironmentVariable(Variable);
            int? level = string.IsNullOrWhiteSpace(value) ? Default : Parse(value);
            Set(level ?? Default);
            return level is null
                ? $"{Variable}='{value}' is not a libtorch log level (INFO, WARNING, ERROR or FATAL); using ERROR"
                : null;
        }
    }

    /// <summary>Writes c10's level flag; false where the flag cannot be found.</summary>
    public static bool Set(int level)
    {
        if (level is < 0 or > 3) throw new ArgumentOutOfRangeException(nameof(level), level, "c10 log levels are 0 (INFO) to 3 (FATAL)");
        if (FlagAddress() is not { } address) return false;
        Marshal.WriteInt32(address, level);
        return true;
    }

    /// <summary>c10's level flag as it is now; null where it cannot be found.</summary>
    public static int? Get() => FlagAddress() is { } address ? Marshal.ReadInt32(address) : null;

    static IntPtr? FlagAddress()
    {
        InitializeDeviceType(TorchSharp.DeviceType.CPU); // TorchSharp loads libtorch (and c10 with it) on first use
        string library = OperatingSystem.IsWindows() ? "c10.dll" : OperatingSystem.IsMacOS() ? "libc10.dylib" : "libc10.so";
        // Already loaded by TorchSharp, so the loader returns that copy; nothing is loaded twice.
        if (!NativeLibrary.TryLoad(library, out var handle)) return null;
        return NativeLibrary.TryGetExport(handle, Flag, out var address) ? address : null;
    }
}
