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
    /// c10's level for a TORCH_CPP_LOG_LEVEL value: the names and numbers c10::initLogging reads (INFO, WARNING, ERROR,
    /// FATAL or 0-3), here in any case and trimmed; null for a value it does not know.
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
    /// The level for a TORCH_CPP_LOG_LEVEL value: <see cref="Default"/> when unset or blank; for an unknown value the
    /// default and the warning to print.
    /// </summary>
    public static (int Level, string? Warning) Resolve(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return (Default, null);
        return Parse(value) is { } level
            ? (level, null)
            : (Default, $"{Variable}='{value}' is not a libtorch log level (INFO, WARNING, ERROR or FATAL); using ERROR");
    }

    /// <summary>
    /// Sets libtorch's level from the variable (<see cref="Resolve"/>) the first time it is called in a process and
    /// returns the warning to print, if any; later calls change nothing and return null. Where c10's flag is not
    /// exported under its plain name (Windows' MSVC mangles data symbols), libtorch keeps its own level.
    /// </summary>
    public static string? Apply()
    {
        lock (gate)
        {
            if (applied) return null;
            applied = true;
            var (level, warning) = Resolve(Environment.GetEnvironmentVariable(Variable));
            Set(level);
            return warning;
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
