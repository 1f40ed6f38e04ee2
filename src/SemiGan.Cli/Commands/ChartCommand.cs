using System.CommandLine;
using SemiGan.Results;

namespace SemiGan.Cli.Commands;

/// <summary>Redraws a run's accuracy chart from its epochs.csv and config.json alone (no retraining).</summary>
public static class ChartCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("folder") { Description = "A run's output folder (holding epochs.csv and config.json)." };
        var cmd = new Command("chart", "Redraw a run's accuracy-labels-N.png/.svg charts from its CSV.") { folder };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            Errors.LogFolder = r.GetValue(folder);
            var output = RunOutput.Existing(r.GetValue(folder)!);
            var rows = EpochCsv.Read(output.EpochsCsv);
            Reports.RunArtifacts.AccuracyCharts(output, rows);
            foreach (int labels in rows.Select(x => x.Run.Labels).Distinct())
                Console.WriteLine($"wrote {output.ChartPng(labels)} and {output.ChartSvg(labels)}");
            return Errors.Ok;
        }));
        return cmd;
    }
}
