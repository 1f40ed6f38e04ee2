using System.CommandLine;
using System.CommandLine.Invocation;
using SemiGan.Cli.Commands;

namespace SemiGan.Cli;

/// <summary>
/// The `semigan` command tree. Exit codes: 0 success, 1 data or runtime failure, 2 bad arguments or configuration
/// (every parse error: one line naming the argument and the fix, no help text), 70 an internal error (one line;
/// the trace goes to semigan-error.log in the output folder, else the temp folder).
/// </summary>
public static class CliApp
{
    public static int Run(string[] args)
    {
        Errors.LogFolder = null;
        // No file name or value can hold a NUL: refused here, for every command and option at once.
        if (args.FirstOrDefault(a => a.Contains('\0')) is { } nul)
            return Errors.Report($"'{nul.Replace("\0", "\\0")}': holds a NUL character, which no file name or value may; remove it.", Errors.BadInput);
        try
        {
            // No response files: an argument starting with @ is a file name like any other.
            var parsed = Build().Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
            if (parsed.Action is ParseErrorAction) return Errors.Report(Usage.Describe(parsed), Errors.BadInput);
            if (parsed.Action is VersionAction && parsed.Tokens.Count > 1)
                return Errors.Report("--version: takes nothing else; run 'semigan --version' alone.", Errors.BadInput);
            return parsed.Invoke(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) { return Errors.Unexpected(e, args); }
    }

    public static RootCommand Build()
    {
        var root = new RootCommand("SemiGan: semi-supervised GANs (a K+1-class discriminator) against an identical supervised CNN, on image datasets described in src/SemiGan/Data/Datasets.cs.")
        {
            RunCommand.Create(),
            TuneCommand.Create(),
            DataCommand.Create(),
            ChartCommand.Create(),
            ReportCommand.Create(),
            MergeCommand.Create(),
            BenchCommand.Create(),
            ValidateCommand.Create(),
            EvalCommand.Create(),
        };
        Usage.RefuseOptionsAsArguments(root);
        var version = root.Options.OfType<VersionOption>().Single();
        version.Description = "Show the version and the git commit it was built from.";
        version.Action = new VersionAction();
        return root;
    }
}
