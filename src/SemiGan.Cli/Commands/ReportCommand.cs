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
        var index = new Option<string?>("--index") { Description = "Also write a results index (one line per run folder below results-folder: experiment, state, runs, commit, date) to this CSV file, e.g. results/index.csv." };
        var cmd = new Command("report", "Write <results-folder>/report.md (charts in <results-folder>/report/) and gains.csv (every gain it tests) with tables, statistics, configs and machine details from the CSVs alone (no retraining).") { folder, last, index };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            string root = r.GetValue(folder)!;
            int k = r.GetValue(last);
            if (k <= 0) throw new ConfigException($"--last-epochs: {k} must be positive.");
            Errors.LogFolder = root;
            if (!Directory.Exists(root)) throw new ConfigException($"{root}: no such folder; pass a results folder, e.g. results/reference.");
            string report = ReportWriter.Write(root, k);
            Console.WriteLine($"wrote {report}");
            string gains = Path.Combine(root, GainsCsv.FileName);
            if (File.Exists(gains)) Console.WriteLine($"wrote {gains}");
            if (r.GetValue(index) is { } indexPath)
            {
                ResultsIndex.Write(root, indexPath);
                Console.WriteLine($"wrote {indexPath}");
            }
            return Errors.Ok;
        }));
        return cmd;
    }
}
