using System.CommandLine;
using SemiGan.Config;
using SemiGan.Results;

namespace SemiGan.Cli.Commands;

/// <summary>Redraws a run's accuracy chart from its epochs.csv and config.json alone (no retraining).</summary>
public static class ChartCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A run's output folder (holding epochs.csv and config.json)." };
        var cmd = new Command("chart", "Redraw accuracy.png/.svg of a finished run from its CSV.") { folder };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            var output = RunOutput.Existing(r.GetValue(folder)!);
            var config = ExperimentConfig.Load(output.ConfigPath);
            output.WriteAccuracyChart(EpochCsv.Read(output.EpochsCsv), config);
            Console.WriteLine($"wrote {output.ChartPng} and {output.ChartSvg}");
            return Errors.Ok;
        }));
        return cmd;
    }
}
