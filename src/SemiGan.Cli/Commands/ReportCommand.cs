using System.CommandLine;
using SemiGan.Config;
using SemiGan.Reports;

namespace SemiGan.Cli.Commands;

public static class ReportCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("results-folder") { Description = "A folder holding one or more runs (any epochs.csv below it)." };
        var last = Usage.PositiveInt("--last-epochs", "Epochs averaged in the second final-accuracy column.", Aggregation.DefaultLastEpochs);
        var cmd = new Command("report", "Write <results-folder>/report.md (charts in <results-folder>/report/) with tables, statistics, configs and machine details from the CSVs alone (no retraining).") { folder, last };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            string root = r.GetValue(folder)!;
            int k = r.GetValue(last);
            if (k <= 0) throw new ConfigException($"--last-epochs: {k} must be positive.");
            Errors.LogFolder = root;
            if (!Directory.Exists(root)) throw new ConfigException($"{root}: no such folder; pass a results folder, e.g. results/reference.");
            Console.WriteLine($"wrote {ReportWriter.Write(root, k)}");
            return Errors.Ok;
        }));
        return cmd;
    }
}
