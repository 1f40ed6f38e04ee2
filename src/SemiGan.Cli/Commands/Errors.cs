using SemiGan.Config;
using SemiGan.Data;

namespace SemiGan.Cli.Commands;

/// <summary>Turns the known failure kinds into one clear line on stderr and an exit code.</summary>
public static class Errors
{
    public const int Ok = 0, Failure = 1, BadInput = 2;

    public static int Guard(Func<int> body)
    {
        try { return body(); }
        catch (ConfigException e) { return Report(e.Message, BadInput); }
        catch (ArgumentException e) { return Report(e.Message, BadInput); }
        catch (DataException e) { return Report(e.Message, Failure); }
        catch (Training.FastPathMismatchException e) { return Report(e.Message, Failure); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CsvHelper.CsvHelperException) { return Report(e.Message, Failure); }
    }

    /// <summary>--threads: sets torch's CPU thread count when given (validated: positive).</summary>
    public static void ApplyThreads(int? threads)
    {
        if (threads is not { } t) return;
        if (t <= 0) throw new ConfigException($"--threads: {t} must be positive.");
        TorchSharp.torch.set_num_threads(t);
    }

    static int Report(string message, int code)
    {
        Console.Error.WriteLine($"semigan: error: {message}");
        return code;
    }
}
