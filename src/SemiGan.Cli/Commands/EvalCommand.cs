using System.CommandLine;
using System.Globalization;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Experiments;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Cli.Commands;

/// <summary>
/// `semigan eval <results-folder>`: reloads every ended run's saved networks (models/: the last epoch's, and under
/// best-validation the selected epoch's), evaluates them on the test set as the run did, prints a line each and writes eval.csv beside epochs.csv's figures. Exit 2 for a folder that is not
/// a run's or holds no saved models, 1 for missing or damaged data or model files.
/// </summary>
public static class EvalCommand
{
    public static Command Create()
    {
        var folder = new Argument<string>("results-folder") { Description = "A run's output folder (the --out of 'semigan run', holding config.json, epochs.csv and models/)." };
        var data = new Option<string?>("--data") { Description = "The dataset's folder (default: data/<dataset>, for mnist $SEMIGAN_DATA when set); never fetched: 'semigan data fetch' gets it." };
        var device = new Option<string>("--device") { Description = "auto (cuda when torch sees a GPU, else cpu) | cpu | cuda.", DefaultValueFactory = _ => "auto" };
        var threads = Usage.PositiveInt("--threads", "Torch CPU threads (default: libtorch's choice).");
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip the dataset's SHA-256 and count checks (for other data of the same IDX shape in --data, as 'run --no-verify')." };
        var cmd = new Command("eval", "Reload every ended run's saved networks (<results-folder>/models/), evaluate them on the test set as the run did, " +
                                      "print one line per run and write <results-folder>/eval.csv with epochs.csv's final test accuracy beside each.")
        {
            folder, data, device, threads, noVerify,
        };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            string root = r.GetValue(folder)!;
            if (!Directory.Exists(root)) throw new ConfigException($"{root}: no such folder; pass a run's --out folder, e.g. results/quick.");
            Errors.LogFolder = root;
            var output = RunOutput.Existing(root);
            var cfg = ExperimentConfig.Load(output.ConfigPath);
            if (!cfg.EvaluateTest)
                throw new ConfigException($"{root}: was run with evaluateTest false (a tuning folder), so its test set is never evaluated, here either; train the tuned settings in an experiment of their own (methodSettings settingsFrom) and evaluate that.");
            if (!Directory.Exists(output.ModelsFolder))
                throw new ConfigException($"{root}: has no models/ folder (a run saves its networks there when it ends; results written before that cannot be evaluated again); pass a run's --out folder with ended runs.");
            var (saved, missing) = SavedModels.Find(output);
            if (saved.Count == 0)
                throw new ConfigException($"{root}: models/ holds no saved model of an ended run (runs.csv lists {missing.Count} ended run{(missing.Count == 1 ? "" : "s")}); pass a run's --out folder with ended runs.");
            var dev = Errors.Input(() => DeviceChoice.Resolve(r.GetValue(device)!));
            Errors.ApplyThreads(r.GetValue(threads));
            Errors.ApplyTorchLogLevel();
            var dataset = Errors.Input(() => Datasets.Get(cfg.Dataset));
            using var images = ImageDataset.Load(dataset, r.GetValue(data) ?? dataset.DefaultFolder, !r.GetValue(noVerify));

            foreach (var m in missing) Console.WriteLine($"{m.RunId}: no saved model in {output.ModelFolder(m.Run)}; skipped");
            var rows = SavedModels.EvaluateAll(output, cfg, images, dev, e => Console.WriteLine(Line(e)));
            EvalCsv.Rewrite(output.EvalCsv, rows);
            int differ = rows.Count(e => e.CsvTestAccuracy != e.TestAccuracy);
            Console.WriteLine($"wrote {output.EvalCsv}: {rows.Count} run{(rows.Count == 1 ? "" : "s")}, " +
                              (differ == 0 ? "every test accuracy as in epochs.csv" : $"{differ} differ from epochs.csv (another device, thread count or test set?)"));
            return Errors.Ok;
        }));
        return cmd;
    }

    static string Line(EvalRecord e)
    {
        static string P(double? v) => v is { } x ? x.ToString("P2", CultureInfo.InvariantCulture) : "none";
        string csv = e.CsvTestAccuracy is null ? "epochs.csv has no row for it" : $"epochs.csv: {P(e.CsvTestAccuracy)}{(e.CsvTestAccuracy == e.TestAccuracy ? "" : ", differs")}";
        return $"{e.RunId} ({e.Status}, {(e.Model == EvalRecord.Selected ? "selected" : "last")} epoch {e.Epoch}): test accuracy {P(e.TestAccuracy)} ({csv}), test loss {e.TestLoss.ToString("F4", CultureInfo.InvariantCulture)}";
    }
}
