using System.CommandLine;
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
            foreach (var group in EpochCsv.Read(output.EpochsCsv).GroupBy(r => r.Labels))
            {
                output.WriteAccuracyChart(group.ToList(), group.Key);
                Console.WriteLine($"wrote {output.ChartPng(group.Key)} and {output.ChartSvg(group.Key)}");
            }
            return Errors.Ok;
        }));
        return cmd;
    }
}
