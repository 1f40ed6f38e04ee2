using System.CommandLine;
using System.Globalization;
using SemiGan.Config;
using SemiGan.Results;

namespace SemiGan.Cli.Commands;

/// <summary>
/// `semigan tune &lt;tune.json&gt;`: the tune file's trials as one experiment (each trial a variant "&lt;method&gt;~tNN",
/// on the tuning seeds, the test set never evaluated), run by run's own body (resume, locks, --jobs, shards), then per
/// method tuned/&lt;method&gt;-&lt;dataset&gt;-&lt;labels&gt;.json with every trial's validation figures and the winner.
/// </summary>
public static class TuneCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("tune-file") { Description = "Tune file (JSON), e.g. experiments/tune-mnist-100.json." };
        var output = new Option<string?>("--out") { Description = "Output folder (default: results/<tune name>); re-running on it resumes." };
        var dryRun = new Option<bool>("--dry-run") { Description = "Check everything, list the trials and their runs with an estimated time, and write nothing." };
        var bench = new Option<string?>("--bench") { Description = "With --dry-run: the `semigan bench --json` file to estimate from (default: the newest results/bench*.json)." };
        var data = new Option<string?>("--data") { Description = "The dataset's folder (default: data/<dataset>), as for run." };
        var device = new Option<string>("--device") { Description = "auto | cpu | cuda, as for run.", DefaultValueFactory = _ => "auto" };
        var threads = Usage.PositiveInt("--threads", "Torch CPU threads, as for run.");
        var shard = new Option<string?>("--shard") { Description = "Run only shard i of n of the trials' runs, as for run; the tuned files are written by the run that ends the whole grid (or after merge: semigan tune on the merged folder)." }
            .Checked(s => { try { Shard.Parse(s); return null; } catch (ConfigException e) { return e.Message; } });
        var noVerify = new Option<bool>("--no-verify") { Description = "Skip the dataset's checks, as for run." };
        var cmd = new Command("tune", "Tune every method of a tune file on validation accuracy only, with the same trial budget each: its trials run as one experiment " +
                                      "(resumable, --jobs, --shard), the test set never evaluated; writes tuned/<method>-<dataset>-<labels>.json per method.")
        {
            file, output, data, device, threads, shard, noVerify, RunCommand.FastPathOption(), Jobs.Option(), RunCommand.RestartRunOption(), dryRun, bench,
        };
        cmd.SetAction(r => Errors.Guard(() =>
        {
            TuneSetup? setup = null;
            (ExperimentConfig, string) Load()
            {
                setup = TuneFile.Load(r.GetValue(file)!);
                return (setup.Config, r.GetValue(output) ?? Path.Combine("results", setup.File.Name));
            }
            if (r.GetValue(dryRun))
            {
                Load();
                foreach (var (method, search) in setup!.File.Methods)
                {
                    var trials = setup.Trials.Where(t => t.Method == method).ToList();
                    int budget = setup.File.BudgetOf(method);
                    Console.WriteLine($"{method}: {setup.File.Search} search, {trials.Count} trials of a budget of {budget}" + (search.Trials is null ? "" : " (its own budget)") +
                                      $" × {setup.Config.Seeds.Length} seeds {Seeds(setup.Config.Seeds)}");
                    foreach (var t in trials) Console.WriteLine($"  {t.Name}: {t.Values.ToJsonString()}");
                }
            }
            return RunCommand.Execute(r, Load, ended: (cfg, folder) => WriteTuned(setup!, folder.Folder), merged: (cfg, folder) => WriteTuned(setup!, folder));
        }));
        return cmd;
    }

    static string Seeds(int[] seeds) => $"[{string.Join(",", seeds)}]";

    /// <summary>Each method's tuned file, with a line per method: its winner and the path.</summary>
    static void WriteTuned(TuneSetup setup, string folder)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var tuned in Reports.TuningResults.Of(setup, folder))
        {
            string path = setup.TunedPath(folder, tuned.Method);
            tuned.Write(path);
            var winner = tuned.Trials.FirstOrDefault(t => t.Name == tuned.Winner);
            foreach (var t in tuned.Trials.Where(t => t.Excluded is not null)) Console.WriteLine($"{tuned.Method}: {t.Name} does not compete ({t.Excluded})");
            Console.WriteLine(winner is null
                ? $"{tuned.Method}: no trial finished on every seed{(tuned.Trials.Any(t => t.Excluded is not null) ? " without a collapse" : "")}, so there is no winner; tuned file {Path.GetFullPath(path)}"
                : string.Create(inv, $"{tuned.Method}: winner {winner.Name} {winner.Values.ToJsonString()}, mean validation accuracy {winner.Mean:P2} over seeds {Seeds(tuned.Seeds)}") +
                  (tuned.Trials.Length < tuned.Budget ? $" ({tuned.Trials.Length} trials of a budget of {tuned.Budget})" : "") + $"; tuned file {Path.GetFullPath(path)}");
        }
    }
}
