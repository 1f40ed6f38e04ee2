namespace SemiGan.Tests;

/// <summary>Runs the CLI in-process and captures its exit code, stdout and stderr (tests run serially).</summary>
public static class CliCapture
{
    public static (int Code, string Out, string Err) Run(params string[] args)
    {
        var (o, e) = (Console.Out, Console.Error);
        var (so, se) = (new StringWriter(), new StringWriter());
        Console.SetOut(so); Console.SetError(se);
        try { return (SemiGan.Cli.CliApp.Run(args), so.ToString(), se.ToString()); }
        finally { Console.SetOut(o); Console.SetError(e); }
    }
}
