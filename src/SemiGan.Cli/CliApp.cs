using System.CommandLine;
using SemiGan.Cli.Commands;

namespace SemiGan.Cli;

/// <summary>The `semigan` command tree. Exit codes: 0 success, 1 data or runtime failure, 2 bad configuration or arguments.</summary>
public static class CliApp
{
    public static int Run(string[] args) => Build().Parse(args).Invoke();

    public static RootCommand Build() =>
        new("SemiGan: semi-supervised GANs (a K+1-class discriminator) against an identical supervised CNN, on image datasets described in src/SemiGan/Data/Datasets.cs.")
        {
            RunCommand.Create(),
            DataCommand.Create(),
            ChartCommand.Create(),
            ReportCommand.Create(),
            MergeCommand.Create(),
            BenchCommand.Create(),
            ValidateCommand.Create(),
        };
}
