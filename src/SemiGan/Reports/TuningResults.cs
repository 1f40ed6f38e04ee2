using System.Text.Json.Nodes;
using SemiGan.Config;
using SemiGan.Results;

namespace SemiGan.Reports;

/// <summary>
/// The outcome of a tune folder, per method: every trial's validation figures per seed and their mean, and the
/// winner by the tune file's rule (<see cref="TuneFile.RuleTextOf"/>). Reads validation figures only:
/// the folder holds no test figures (evaluateTest: false).
/// </summary>
public static class TuningResults
{
    /// <summary>Each method's tuned settings from the folder's epochs.csv and runs.csv (every run of the grid should have ended).</summary>
    public static List<TunedSettings> Of(TuneSetup setup, string folder)
    {
        var output = RunOutput.Existing(folder);
        var rows = EpochCsv.Read(output.EpochsCsv).GroupBy(r => r.Run).ToDictionary(g => g.Key, g => g.OrderBy(r => r.Epoch).ToList());
        var statuses = RunStatusCsv.Read(output.RunsCsv).GroupBy(s => s.Run).ToDictionary(g => g.Key, g => g.Last().Status);
        var cfg = setup.Config;
        var experiment = (JsonObject)JsonNode.Parse(cfg.ToJson())!;
        foreach (var k in new[] { "name", "description", "seeds", "methods", "methodSettings", "reference", "comparisons" }) experiment.Remove(k);
        var results = new List<TunedSettings>();
        foreach (var (method, search) in setup.File.Methods)
        {
            var trials = new List<TrialResult>();
            foreach (var trial in setup.Trials.Where(t => t.Method == method))
            {
                var runs = cfg.Runs().Where(r => r.Method == trial.Name).Select(run =>
                {
                    string status = statuses.GetValueOrDefault(run) ?? "unfinished";
                    var selected = rows.TryGetValue(run, out var epochs) && status == RunStatus.Finished ? Aggregation.Selected(epochs, cfg.Select) : null;
                    return new TrialRun(run.Seed, status, selected?.Epoch, selected?.ValidationAccuracy);
                }).ToArray();
                double? mean = runs.All(r => r.ValidationAccuracy is not null) ? runs.Average(r => r.ValidationAccuracy!.Value) : null;
                string? excluded = null;
                if (setup.File.Rule == TuneFile.MeanValidationStable)
                {
                    var collapses = Aggregation.Collapses(cfg.Runs().Where(r => r.Method == trial.Name).SelectMany(r => rows.GetValueOrDefault(r) ?? []))
                        .Where(c => c.Measure == "validation").ToList();
                    if (collapses.Count > 0)
                        excluded = "collapsed: " + string.Join("; ", collapses.Select(c => FormattableString.Invariant(
                            $"seed {c.Run.Seed} validation {c.From:P0} at epoch {c.FromEpoch} to {c.To:P0} at epoch {c.ToEpoch}")));
                }
                trials.Add(new TrialResult(trial.Name, (JsonObject)trial.Values.DeepClone(), runs, mean) { Excluded = excluded });
            }
            // Strictly greater: a tie keeps the earlier-listed trial.
            TrialResult? winner = null;
            foreach (var t in trials)
                if (t.Mean is { } m && t.Excluded is null && (winner is null || m > winner.Mean)) winner = t;
            JsonObject? settings = null;
            if (winner is not null)
            {
                settings = new JsonObject();
                foreach (var (k, v) in search.Fixed ?? []) settings[k] = JsonNode.Parse(v.GetRawText());
                foreach (var (k, v) in winner.Values) settings[k] = v?.DeepClone();
            }
            var space = new JsonObject();
            foreach (var (k, values) in search.Space) space[k] = new JsonArray(values.Select(v => JsonNode.Parse(v.GetRawText())).ToArray());
            JsonObject? fixedValues = search.Fixed is null ? null : new JsonObject(search.Fixed.Select(kv => KeyValuePair.Create(kv.Key, JsonNode.Parse(kv.Value.GetRawText()))));
            results.Add(new TunedSettings
            {
                Method = method, Dataset = cfg.Dataset, Labels = cfg.Labels[0], Tune = setup.File.Name, TuneFile = setup.Path,
                Search = setup.File.Search, SearchSeed = setup.File.Search == TuneFile.Random ? setup.File.SearchSeed : null,
                Budget = setup.File.BudgetOf(method), OwnBudget = search.Trials is not null,
                Space = space, Fixed = fixedValues, Experiment = (JsonObject)experiment.DeepClone(), Seeds = cfg.Seeds,
                Rule = setup.File.Rule, Trials = trials.ToArray(), Winner = winner?.Name, Settings = settings,
            });
        }
        return results;
    }
}
