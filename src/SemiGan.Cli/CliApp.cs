using System.CommandLine;
using SemiGan.Cli.Commands;

namespace SemiGan.Cli;

/// <summary>The `semigan` command tree. Exit codes: 0 success, 1 data or runtime failure, 2 bad configuration or arguments.</summary>
public static class CliApp
{
    public static int Run(string[] args) => Build().Parse(args).Invoke();

    public static RootCommand Build() =>
        new("SemiGan: semi-supervised GAN (K+1-class discriminator) vs an identical supervised CNN on MNIST.")
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
