using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Results;

namespace SemiGan.Tests;

/// <summary>`semigan tune`: validation-only tuning, its tuned files, and experiments that take their settings.</summary>
public class TuneTests
{
    /// <summary>
    /// Supervised at three learning rates, one of which (1e-7) cannot move the weights in two epochs and one (1e-6) barely:
    /// 3e-3 must win on mean validation accuracy.
    /// </summary>
    static string TuneFileIn(string dir, string name = "tune-t", string space = """{ "learningRate": [1e-7, 0.003, 1e-6] }""", int trials = 3, string search = "grid") =>
        Write(Path.Combine(dir, name + ".json"), $$"""
        {
          // a tiny search on synthetic digits
          "name": "{{name}}",
          "experiment": { "labels": 100, "epochs": 2, "validation": 100, "select": "best-validation", "batchSize": 50, "sampleCount": 0, "evalBatchSize": 100 },
          "seeds": [1001, 1002],
          "methods": { "supervised": { "space": {{space}}, "fixed": { "dropout": 0.1 } } },
          "trials": {{trials}},
          "search": "{{search}}"
        }
        """);

    static string Write(string path, string text)
    {
        File.WriteAllText(path, text);
        return path;
    }

    static (string Dir, string Data) Folder()
    {
        string dir = Synthetic.TempDir();
        return (dir, Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 400, test: 100));
    }

    static (int Code, string Out, string Err) Tune(string file, string outDir, string data, params string[] more) =>
        CliCapture.Run(["tune", file, "--out", outDir, "--data", data, "--no-verify", "--fast-path", "reference", .. more]);

    [Fact]
    public void A_search_picks_the_trial_of_best_mean_validation_accuracy_and_never_evaluates_the_test_set()
    {
        var (dir, data) = Folder();
        string file = TuneFileIn(dir), outDir = Path.Combine(dir, "out");
        var touched = new List<string>();
        TestSetProbe.Evaluated = touched.Add;
        try
        {
            var (code, output, err) = Tune(file, outDir, data);
            Assert.True(code == 0, err);
            Assert.Empty(touched); // the runner's one test evaluation was never called

            // The same runner on an ordinary experiment does call it: the probe is live.
            string exp = Write(Path.Combine(dir, "e.json"), """{ "name": "e", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["supervised"], "batchSize": 50, "sampleCount": 0, "evalBatchSize": 100 }""");
            Assert.Equal(0, CliCapture.Run("run", exp, "--out", Path.Combine(dir, "e"), "--data", data, "--no-verify", "--fast-path", "reference").Code);
            Assert.Contains("e", touched);

            var rows = EpochCsv.Read(Path.Combine(outDir, "epochs.csv"));
            Assert.Equal(3 * 2 * 2, rows.Count);
            Assert.All(rows, r => { Assert.Null(r.TestAccuracy); Assert.Null(r.TestLoss); Assert.NotNull(r.ValidationAccuracy); });
            Assert.False(Directory.Exists(Path.Combine(outDir, "confusion")));
            Assert.Contains("\"evaluateTest\": false", File.ReadAllText(Path.Combine(outDir, "config.json")));

            string tunedPath = Path.Combine(outDir, "tuned", "supervised-mnist-100.json");
            Assert.Contains($"supervised: winner supervised~t02 {{\"learningRate\":0.003}}", output);
            Assert.Contains(tunedPath, output);
            var (tuned, _) = TunedSettings.Read(tunedPath, "test", "test");
            Assert.Equal("supervised~t02", tuned.Winner);
            Assert.Equal([1001, 1002], tuned.Seeds);
            Assert.Equal(3, tuned.Trials.Length);
            // Every trial's figures are the epochs.csv validation accuracy at each run's best-validation epoch, and the mean of those.
            foreach (var t in tuned.Trials)
            {
                foreach (var run in t.Runs)
                {
                    var own = rows.Where(r => r.Run.Method == t.Name && r.Run.Seed == run.Seed).ToList();
                    Assert.Equal(own.Max(r => r.ValidationAccuracy), run.ValidationAccuracy);
                    Assert.Equal(RunStatus.Finished, run.Status);
                }
                Assert.Equal(t.Runs.Average(r => r.ValidationAccuracy!.Value), t.Mean!.Value, 12);
            }
            Assert.True(tuned.Trials[1].Mean > tuned.Trials[0].Mean + 0.3, $"lr 3e-3 {tuned.Trials[1].Mean} against 1e-7 {tuned.Trials[0].Mean}");
            Assert.Equal(tuned.Trials.Max(t => t.Mean), tuned.Trials[1].Mean);
            // The winner's settings as a methodSettings entry: the fixed options and its own values.
            Assert.Equal("""{"dropout":0.1,"learningRate":0.003}""", tuned.Settings!.ToJsonString());

            // semigan eval refuses a tuning folder: it has nothing to compare, and must not look.
            var (evalCode, evalOut, evalErr) = CliCapture.Run("eval", outDir, "--data", data, "--no-verify");
            Assert.Equal(2, evalCode);
            Assert.Single(evalErr.Trim().Split('\n'));
            Assert.Contains("evaluateTest false", evalErr);
            Assert.All(touched, x => Assert.Equal("e", x)); // eval refused before it loaded anything; only the plain run evaluated the test set
        }
        finally { TestSetProbe.Evaluated = null; }
    }

    [Fact]
    public void Under_mean_validation_stable_a_trial_whose_run_collapses_does_not_compete()
    {
        var (dir, data) = Folder();
        string file = TuneFileIn(dir), outDir = Path.Combine(dir, "out");
        var (code, output, err) = Tune(file, outDir, data);
        Assert.True(code == 0, err);
        Assert.Contains("supervised: winner supervised~t02", output); // 3e-3, as in the test above

        // The winner's seed-1002 run made to collapse: validation 100 % at epoch 1, then 10 pp lower plus one image (a drop
        // of more than 10 pp). Its best-validation figure rises, so mean-validation would still pick it.
        string epochs = Path.Combine(outDir, "epochs.csv");
        var rows = EpochCsv.Read(epochs).Select(r => r.Run.Method == "supervised~t02" && r.Run.Seed == 1002
            ? r with { ValidationAccuracy = r.Epoch == 1 ? 1.0 : 0.89 } : r).ToList();
        EpochCsv.Rewrite(epochs, rows);
        (code, output, err) = Tune(file, outDir, data);
        Assert.True(code == 0, err);
        Assert.Contains("supervised: winner supervised~t02", output);

        // The same folder under the stable rule: t02 is out, named with its collapse; the next best wins.
        Write(file, File.ReadAllText(file).Replace("\"search\": \"grid\"", "\"search\": \"grid\", \"rule\": \"mean-validation-stable\""));
        (code, output, err) = Tune(file, outDir, data);
        Assert.True(code == 0, err);
        Assert.Contains("supervised: supervised~t02 does not compete (collapsed: seed 1002 validation 100 % at epoch 1 to 89 % at epoch 2)", output);
        var (tuned, _) = TunedSettings.Read(Path.Combine(outDir, "tuned", "supervised-mnist-100.json"), "test", "test");
        Assert.Equal(TuneFile.MeanValidationStable, tuned.Rule);
        var rest = tuned.Trials.Where(t => t.Name != "supervised~t02").ToList();
        Assert.Equal(rest.MaxBy(t => t.Mean)!.Name, tuned.Winner);
        Assert.NotNull(tuned.Trials.Single(t => t.Name == "supervised~t02").Excluded);
        Assert.All(rest, t => Assert.Null(t.Excluded));
    }

    [Fact]
    public void A_tuning_run_resumes_with_identical_trials_after_its_last_run_is_lost()
    {
        var (dir, data) = Folder();
        string file = TuneFileIn(dir, space: """{ "learningRate": [0.003, 0.001] }""", trials: 2), outDir = Path.Combine(dir, "out");
        Assert.Equal(0, Tune(file, outDir, data).Code);
        string tunedPath = Path.Combine(outDir, "tuned", "supervised-mnist-100.json");
        string tunedBefore = File.ReadAllText(tunedPath);
        var rowsBefore = EpochCsv.Read(Path.Combine(outDir, "epochs.csv")).Select(r => r.Untimed()).ToList();

        // As after a kill before the last run ended: its runs.csv line and its rows are gone, the tuned file too.
        string last = RunStatusCsv.Read(Path.Combine(outDir, "runs.csv"))[^1].RunId;
        var statuses = RunStatusCsv.Read(Path.Combine(outDir, "runs.csv"));
        RunStatusCsv.Rewrite(Path.Combine(outDir, "runs.csv"), statuses.Where(s => s.RunId != last).ToList());
        EpochCsv.Rewrite(Path.Combine(outDir, "epochs.csv"), EpochCsv.Read(Path.Combine(outDir, "epochs.csv")).Where(r => r.Run.Id != last).ToList());
        File.Delete(tunedPath);

        var (code, output, err) = Tune(file, outDir, data);
        Assert.True(code == 0, err);
        Assert.Contains("resuming: 3 of 4 runs already ended", output);
        Assert.Equal(rowsBefore.OrderBy(r => r.Run.Id).ThenBy(r => r.Epoch), EpochCsv.Read(Path.Combine(outDir, "epochs.csv")).Select(r => r.Untimed()).OrderBy(r => r.Run.Id).ThenBy(r => r.Epoch));
        Assert.Equal(tunedBefore, File.ReadAllText(tunedPath));
    }

    [Fact]
    public void Shards_of_a_search_merged_then_tuned_again_give_the_tuned_file_without_training()
    {
        var (dir, data) = Folder();
        string file = TuneFileIn(dir, space: """{ "learningRate": [0.003, 0.001] }""", trials: 2);
        string a = Path.Combine(dir, "a"), b = Path.Combine(dir, "b"), merged = Path.Combine(dir, "merged");
        var (code, output, err) = Tune(file, a, data, "--shard", "1/2");
        Assert.True(code == 0, err);
        Assert.DoesNotContain("tuned file", output); // a shard alone has no answer
        Assert.Equal(0, Tune(file, b, data, "--shard", "2/2").Code);
        Assert.Equal(0, CliCapture.Run("merge", "--out", merged, a, b).Code);
        (code, output, err) = Tune(file, merged, data);
        Assert.True(code == 0, err);
        Assert.Contains("resuming: 4 of 4 runs already ended", output);
        Assert.DoesNotContain("training supervised~", output); // no run trained again
        var (tuned, _) = TunedSettings.Read(Path.Combine(merged, "tuned", "supervised-mnist-100.json"), "test", "test");
        Assert.All(tuned.Trials, t => Assert.Equal([RunStatus.Finished, RunStatus.Finished], t.Runs.Select(r => r.Status)));
        Assert.NotNull(tuned.Winner);
    }

    [Fact]
    public void A_grid_larger_than_the_budget_is_refused_in_one_line()
    {
        var (dir, data) = Folder();
        string file = TuneFileIn(dir, space: """{ "learningRate": [0.0003, 0.001, 0.003], "weightDecay": [0, 0.0005] }""", trials: 4);
        var (code, output, err) = Tune(file, Path.Combine(dir, "out"), data, "--dry-run");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("methods.supervised: the grid has 6 points, more than trials (4)", err);
        Assert.False(Directory.Exists(Path.Combine(dir, "out")));
    }

    [Fact]
    public void A_random_search_draws_budget_distinct_points_from_its_seed()
    {
        string dir = Synthetic.TempDir();
        string space = """{ "learningRate": [0.0003, 0.001, 0.003], "weightDecay": [0, 0.0005] }""";
        var a = TuneFile.Load(TuneFileIn(dir, "tune-a", space, trials: 4, search: "random"));
        var b = TuneFile.Load(TuneFileIn(dir, "tune-b", space, trials: 4, search: "random"));
        var values = a.Trials.Select(t => t.Values.ToJsonString()).ToList();
        Assert.Equal(4, values.Distinct().Count());
        Assert.Equal(values, b.Trials.Select(t => t.Values.ToJsonString()));
        Assert.Equal(["supervised~t01", "supervised~t02", "supervised~t03", "supervised~t04"], a.Config.Methods);
        Assert.False(a.Config.EvaluateTest);
        Assert.Equal(0.1, a.Config.SettingsOf("supervised~t01").Dropout); // the fixed option, in every trial
    }

    /// <summary>A tuned file as semigan tune writes it (winner lr 3e-3, dropout 0.1), without training.</summary>
    static string TunedFile(string dir, string method = "supervised")
    {
        string path = Path.Combine(dir, "tuned", $"{method}-mnist-100.json");
        new TunedSettings
        {
            Method = method, Dataset = "mnist", Labels = 100, Tune = "tune-t", TuneFile = "tune-t.json", Search = "grid", Budget = 2,
            Space = new JsonObject { ["learningRate"] = new JsonArray(0.001, 0.003) }, Fixed = new JsonObject { ["dropout"] = 0.1 },
            Experiment = new JsonObject { ["epochs"] = 2 }, Seeds = [1001, 1002], Rule = TuneFile.MeanValidation,
            Trials = [], Winner = $"{method}~t02", Settings = new JsonObject { ["dropout"] = 0.1, ["learningRate"] = 0.003 },
        }.Write(path);
        return path;
    }

    [Fact]
    public void SettingsFrom_takes_the_winner_under_the_entrys_own_values_and_config_json_records_the_file()
    {
        string dir = Synthetic.TempDir();
        string tuned = TunedFile(dir);
        string exp = Write(Path.Combine(dir, "e.json"), $$"""
            { "name": "e", "labels": 100, "seeds": [1, 2], "epochs": 1, "methods": ["supervised", "sup-b"],
              "methodSettings": { "supervised": { "settingsFrom": {{JsonSerializer.Serialize(tuned)}}, "dropout": 0.5 },
                                  "sup-b": { "method": "supervised", "settingsFrom": {{JsonSerializer.Serialize(tuned)}} } } }
            """);
        var cfg = ExperimentConfig.Load(exp);
        Assert.Equal(0.003, cfg.SettingsOf("supervised").LearningRate); // from the file
        Assert.Equal(0.5, cfg.SettingsOf("supervised").Dropout);        // the entry's own value wins
        Assert.Equal(0.1, cfg.SettingsOf("sup-b").Dropout);
        string sha = Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(tuned)));
        var recorded = JsonNode.Parse(cfg.ToJson())!["methodSettings"]!["supervised"]!;
        Assert.Equal(tuned, (string?)recorded["tunedFrom"]!["path"]);
        Assert.Equal(sha, (string?)recorded["tunedFrom"]!["sha256"]);
        Assert.Equal("[1001,1002]", recorded["tunedFrom"]!["seeds"]!.ToJsonString());
        Assert.Equal(0.003, (double)recorded["learningRate"]!);
        Assert.Null(recorded["settingsFrom"]);
        // config.json reads back to the same experiment (a resume compares them) without reading the tuned file again.
        string written = Write(Path.Combine(dir, "config.json"), cfg.ToJson());
        File.Delete(tuned);
        Assert.Equal(cfg.ToJson(), ExperimentConfig.Load(written).ToJson());
    }

    [Theory]
    [InlineData("[1001, 3]", "overlap the tuning seeds [1001,1002]")]
    [InlineData("[1, 2]", null)]
    public void An_experiment_on_the_tuning_seeds_is_refused_in_one_line(string seeds, string? refusal)
    {
        string dir = Synthetic.TempDir();
        string tuned = TunedFile(dir);
        string exp = Write(Path.Combine(dir, "e.json"), $$"""
            { "name": "e", "labels": 100, "seeds": {{seeds}}, "epochs": 1, "methods": ["supervised"],
              "methodSettings": { "supervised": { "settingsFrom": {{JsonSerializer.Serialize(tuned)}} } } }
            """);
        var (code, _, err) = CliCapture.Run("validate", exp);
        if (refusal is null) { Assert.True(code == 0, err); return; }
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(refusal, err);
        Assert.Contains("[1001,3]", err);
        // --seeds is checked the same way.
        Assert.Equal(2, CliCapture.Run("validate", exp, "--seeds", "1002").Code);
    }

    [Theory]
    [InlineData("missing.json", "cannot be read (not found)")]
    [InlineData("not-tuned", "is not a tuned-settings file")]
    [InlineData("sgan", "holds settings tuned for supervised, and this entry trains sgan")]
    public void A_missing_or_wrong_tuned_file_is_one_line_exit_2(string which, string expected)
    {
        string dir = Synthetic.TempDir();
        string tuned = which switch
        {
            "missing.json" => Path.Combine(dir, "missing.json"),
            "not-tuned" => Write(Path.Combine(dir, "x.json"), """{ "name": "not a tuned file" }"""),
            _ => TunedFile(dir),
        };
        string method = which == "sgan" ? "sgan" : "supervised";
        string exp = Write(Path.Combine(dir, "e.json"), $$"""
            { "name": "e", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["{{method}}"],
              "methodSettings": { "{{method}}": { "settingsFrom": {{JsonSerializer.Serialize(tuned)}} } } }
            """);
        var (code, _, err) = CliCapture.Run("validate", exp);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains($"methodSettings.{method}.settingsFrom", err);
        Assert.Contains(expected, err);
    }
}
