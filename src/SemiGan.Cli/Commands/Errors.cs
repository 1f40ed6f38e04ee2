using System.Globalization;
using SemiGan.Config;
using SemiGan.Data;

namespace SemiGan.Cli.Commands;

/// <summary>
/// Turns failures into one line on stderr and an exit code: 2 for bad arguments or configuration, 1 for data
/// or runtime failures, 70 (EX_SOFTWARE) for anything unexpected, whose full trace goes to a file.
/// </summary>
public static class Errors
{
    public const int Ok = 0, Failure = 1, BadInput = 2, Internal = 70;

    public const string LogName = "semigan-error.log";

    /// <summary>The folder the running command writes to, once known: an internal error's trace goes there (else to the temp folder).</summary>
    public static string? LogFolder { get; set; }

    /// <summary>Test hook: runs first inside every command's <see cref="Guard"/> (e.g. to throw an unexpected exception).</summary>
    internal static Action? Fault { get; set; }

    public static int Guard(Func<int> body)
    {
        try { Fault?.Invoke(); return body(); }
        catch (ConfigException e) { return Report(e.Message, BadInput); }
        catch (DataException e) { return Report(e.Message, Failure); }
        catch (Training.FastPathMismatchException e) { return Report(e.Message, Failure); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CsvHelper.CsvHelperException) { return Report(e.Message, Failure); }
    }

    /// <summary>
    /// A library call that checks a value the user gave (a device, a dataset name, labels against the data):
    /// its <see cref="ArgumentException"/> is a usage error (exit 2). Elsewhere an ArgumentException is a bug.
    /// </summary>
    public static T Input<T>(Func<T> call)
    {
        try { return call(); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
    }

    /// <summary>--threads: sets torch's CPU thread count when given (validated: positive).</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is not { } t) return;
        if (t <= 0) throw new ConfigException($"--threads: {t} must be positive.");
        TorchSharp.torch.set_num_threads(t);
    }

    /// <summary>libtorch's C++ log level (TORCH_CPP_LOG_LEVEL, else errors only); an unknown value is named on stderr.</summary>
    public static void ApplyTorchLogLevel()
    {
        if (SemiGan.Kernels.TorchLogLevel.Apply() is { } warning) Console.Error.WriteLine($"semigan: warning: {warning}");
    }

    public static int Report(string message, int code)
    {
        Console.Error.WriteLine($"semigan: error: {Usage.OneLine(message)}");
        return code;
    }

    /// <summary>An exception nothing expected: one line naming it and the file holding its trace (appended, never replaced).</summary>
    public static int Unexpected(Exception e, IReadOnlyList<string> args)
    {
        string? log = null;
        foreach (string? folder in new[] { LogFolder, Path.GetTempPath() })
        {
            if (folder is null || !Directory.Exists(folder)) continue;
            try
            {
                string path = Path.GetFullPath(Path.Combine(folder, LogName));
                File.AppendAllText(path, string.Create(CultureInfo.InvariantCulture,
                    $"{DateTime.UtcNow:o} {BuildInfo.VersionLine}{Environment.NewLine}command line: semigan {string.Join(" ", args)}{Environment.NewLine}{e}{Environment.NewLine}{Environment.NewLine}"));
                log = path;
                break;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException) { }
        }
        Console.Error.WriteLine($"semigan: internal error: {e.GetType().FullName}: {Usage.OneLine(e.Message)} " +
                                (log is null ? "(its trace could not be written to a file)" : $"(full trace in {log}); please report it with that file"));
        return Internal;
    }
}
