using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using SemiGan.Cli;
using SemiGan.Cli.Commands;
using SemiGan.Config;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Tests;

/// <summary>`--set key=value` on run and validate: checked like the file, recorded in config.json, and named in every error it causes.</summary>
public class SetOverrideTests
{
    static (string Dir, string Exp) Experiment(string json)
    {
        string dir = Synthetic.TempDir();
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, json);
        return (dir, exp);
    }

    [Fact]
    public void Set_values_are_trained_with_and_recorded_in_config_json_and_another_set_is_refused_on_that_folder()
    {
        var (dir, exp) = Experiment("""{ "name": "s", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["baseline"], "batchSize": 50, "sampleCount": 0 }""");
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string outDir = Path.Combine(dir, "out");
        string[] common = [exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu", "--fast-path", "reference"];

        var (code, _, err) = CliCapture.Run(["run", .. common, "--set", "learningRate=0.001", "--set", "dropout=0.5"]);
        Assert.True(code == 0, err);
        var config = JsonNode.Parse(File.ReadAllText(Path.Combine(outDir, "config.json")))!;
        Assert.Equal(0.001, (double)config["learningRate"]!);
        Assert.Equal(0.5, (double)config["dropout"]!);
        // A hyperparameter set from the command line names the runs (the method's variant), and its resolved
        // settings are what the method trained with.
        Assert.Equal("baseline-lr0.001-dropout0.5", (string)config["methods"]![0]!);
        Assert.Equal(0.001, (double)config["methodSettings"]!["baseline-lr0.001-dropout0.5"]!["learningRate"]!);
        Assert.Equal(0.5, (double)config["methodSettings"]!["baseline-lr0.001-dropout0.5"]!["dropout"]!);
        Assert.Contains("baseline-lr0.001-dropout0.5-mnist-masked-gan_logit-labels-100-seed-1", File.ReadAllText(Path.Combine(outDir, "epochs.csv")));
        string before = File.ReadAllText(Path.Combine(outDir, "config.json"));

        // The same overrides in another order resume the folder; a different one is refused and changes nothing.
        (code, _, err) = CliCapture.Run(["run", .. common, "--set", "dropout=0.5", "--set", "learningRate=0.001"]);
        Assert.True(code == 0, err);
        (code, _, err) = CliCapture.Run(["run", .. common, "--set", "learningRate=0.001", "--set", "dropout=0.4"]);
        Assert.Equal(2, code);
        Assert.Contains("different configuration", Assert.Single(err.TrimEnd().Split('\n')));
        Assert.Equal(before, File.ReadAllText(Path.Combine(outDir, "config.json")));
        (code, _, _) = CliCapture.Run(["run", .. common]); // without --set: the file's values, another configuration
        Assert.Equal(2, code);
    }

    [Theory]
    [InlineData("learningrate=0.001", "--set learningrate=0.001: unknown field 'learningrate'")]
    [InlineData("dropout=abc", "--set dropout=abc: dropout: must be a number")]
    [InlineData("dropout=1.5", "--set dropout=1.5: dropout: 1.5 must be in [0, 1)")]
    [InlineData("labels=[100,15]", "--set labels=[100,15]: labels: 15 must be a positive multiple of 10")]
    [InlineData("methods=[sgan,vae]", "--set methods=[sgan,vae]: methods: 'vae' is neither a method")]
    [InlineData("methodSettings.baseline.learningRat=0.1", "--set methodSettings.baseline.learningRat=0.1: methodSettings.baseline.learningRat: is not an option of baseline; its options: method, displayName, architecture, learningRate")]
    [InlineData("methodSettings.baseline.learningRate=-1", "--set methodSettings.baseline.learningRate=-1: methodSettings.baseline.learningRate: -1 must be positive")]
    [InlineData("methodSettings.vae.learningRate=0.1", "--set methodSettings.vae.learningRate=0.1: methodSettings.vae: 'vae' is not trained")]
    [InlineData("name.first=x", "--set name.first=x: 'name' is a string, not an object")]
    public void A_bad_set_exits_2_with_one_line_naming_it_and_writes_nothing(string set, string expected)
    {
        var (dir, exp) = Experiment("""{ "name": "s", "labels": 100, "seeds": [1], "epochs": 1 }""");
        string outDir = Path.Combine(dir, "out");
        foreach (var command in new[] { "run", "validate" })
        {
            string[] args = command == "run" ? [command, exp, "--set", set, "--out", outDir] : [command, exp, "--set", set];
            var (code, output, err) = CliCapture.Run(args);
            Assert.True(code == 2, $"{command} --set {set}: exit {code}, {err}");
            Assert.StartsWith("semigan: error: " + expected, Assert.Single(err.TrimEnd().Split('\n')));
            Assert.Equal("", output);
        }
        Assert.Equal(["e.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_field_set_twice_or_a_set_the_file_makes_impossible_is_one_line_too()
    {
        var (_, exp) = Experiment("""{ "name": "s", "labels": 100, "seeds": [1], "epochs": 1, "trainLimit": 500 }""");
        var (code, _, err) = CliCapture.Run("validate", exp, "--set", "dropout=0.1", "--set", "dropout=0.2");
        Assert.Equal(2, code);
        Assert.Equal("semigan: error: --set dropout=0.1 and --set dropout=0.2: the same field is set twice; give each field once.", err.Trim());
        (code, _, err) = CliCapture.Run("validate", exp, "--set", "methodSettings={}", "--set", "methodSettings.sgan.dropout=0.1");
        Assert.Equal(2, code);
        Assert.Contains("the same field is set twice", err);
        // A limit that the file's trainLimit makes impossible: the override is named, with the reason.
        (code, _, err) = CliCapture.Run("validate", exp, "--set", "labels=1000");
        Assert.Equal(2, code);
        Assert.Equal("semigan: error: --set labels=1000: labels: 1000 is larger than the training set (500)", err.Trim());
    }

    [Fact]
    public void A_dotted_path_sets_one_methods_settings_and_keeps_the_entrys_other_fields()
    {
        var (_, exp) = Experiment("""
            { "name": "s", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["baseline", "supervised"],
              "methodSettings": { "supervised": { "weightDecay": 0.01 } } }
            """);
        var cfg = ExperimentConfig.Load(exp, ConfigOverride.ParseAll(["methodSettings.supervised.learningRate=0.001", "methodSettings.baseline.ema=0.5"]));
        Assert.Equal(0.001, cfg.SettingsOf("supervised").LearningRate);
        Assert.Equal(0.01, cfg.SettingsOf("supervised").WeightDecay); // the file's field of that entry is kept
        Assert.Equal(2e-4, cfg.SettingsOf("baseline").LearningRate); // the other method is untouched
        Assert.Equal(0.5, cfg.SettingsOf("baseline").Ema); // an entry the file lacks is created
        Assert.Equal(0, CliCapture.Run("validate", exp, "--set", "methodSettings.supervised.learningRate=0.001").Code);

        // Values: JSON when they parse (numbers, booleans, lists, objects), bracketed lists of words, else strings.
        cfg = ExperimentConfig.Load(exp, ConfigOverride.ParseAll(["labels=[20,50]", "protocol=[masked,streams]", "select=best-validation", "validation=100",
            "methodSettings={\"baseline\": {\"mask\": \"whole-batch\"}}", "validationInUnlabeledPool=true"]));
        Assert.Equal([20, 50], cfg.Labels);
        Assert.Equal(["masked", "streams"], cfg.Protocol);
        Assert.Equal(SelectRule.BestValidation, cfg.Select);
        Assert.True(cfg.ValidationInUnlabeledPool);
        Assert.Equal("whole-batch", cfg.SettingsOf("baseline").OwnAs<SemiGan.Methods.BaselineOptions>().Mask);
        Assert.Equal(0, cfg.SettingsOf("supervised").WeightDecay); // the whole object was replaced
    }

    [Fact]
    public void Seeds_and_epochs_still_override_and_combine_with_set()
    {
        var (_, exp) = Experiment("""{ "name": "s", "labels": 100, "seeds": [1], "epochs": 1 }""");
        var cfg = ValidateCommand.Load(exp, "4,5", 7, ConfigOverride.ParseAll(["dropout=0.25"]));
        Assert.Equal([4, 5], cfg.Seeds);
        Assert.Equal(7, cfg.Epochs);
        Assert.Equal(0.25, cfg.Dropout);
        var (code, output, _) = CliCapture.Run("validate", exp, "--seeds", "4,5", "--set", "labels=[100,200]");
        Assert.Equal(0, code);
        Assert.Contains("8 runs", output);
    }

    [Fact]
    public void The_default_folder_of_a_set_run_carries_a_hash_of_its_overrides_in_any_order()
    {
        var cfg = new ExperimentConfig { Name = "quick", Labels = [100], Seeds = [1], Epochs = 1 }.Validated();
        Assert.Equal(Path.Combine("results", "quick"), RunCommand.DefaultOut(cfg, []));
        string a = RunCommand.DefaultOut(cfg, ConfigOverride.ParseAll(["learningRate=0.001", "dropout=0.5"]));
        Assert.Matches(@"^quick-set-[0-9a-f]{8}$", Path.GetFileName(a));
        Assert.Equal(a, RunCommand.DefaultOut(cfg, ConfigOverride.ParseAll(["dropout=0.5", "learningRate=0.001"])));
        Assert.NotEqual(a, RunCommand.DefaultOut(cfg, ConfigOverride.ParseAll(["dropout=0.4", "learningRate=0.001"])));
        Assert.NotEqual(a, RunCommand.DefaultOut(cfg, ConfigOverride.ParseAll(["learningRate=0.001"])));
    }

    [Fact]
    public void Jobs_children_get_every_set()
    {
        var parsed = CliApp.Build().Parse(["run", "e.json", "--jobs", "2", "--set", "dropout=0.5", "--set", "labels=[1,2]"]);
        Assert.Empty(parsed.Errors);
        Assert.Equal(["run", "e.json", "--set", "dropout=0.5", "--set", "labels=[1,2]"], Jobs.Forwarded(parsed));
    }
}

/// <summary>`semigan run --dry-run`: the grid with each run's steps (as BatchSchedule counts them) and an estimate; writes nothing.</summary>
public class DryRunTests
{
    static readonly Regex Line = new(@"^  (?<id>\S+): method (?<method>\S+), seed (?<seed>-?\d+), (?<labels>\d+) labels, (?<steps>\d+) steps/epoch x (?<epochs>\d+) epochs(?<rest>.*)$");

    static List<Match> Runs(string output) =>
        output.Split('\n').Select(l => Line.Match(l.TrimEnd('\r'))).Where(m => m.Success).ToList();

    static string[] Tree(string dir) =>
        Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => p + (File.Exists(p) ? ":" + File.ReadAllText(p).GetHashCode() : "")).Order().ToArray();

    /// <summary>Data: 200 training and 100 test images.</summary>
    [Theory]
    // masked: every training image but the 20 held out, 180 / 40 = 4 steps; streams (labeled in the pool): the same 180.
    [InlineData("""{ "labels": [20, 50], "protocol": ["masked", "streams"], "validation": 20, "batchSize": 40 }""", 16, "4,4,4,4,4,4,4,4,4,4,4,4,4,4,4,4")]
    // streams without the labeled images: (180 - 20) / 30 = 5 and (180 - 60) / 30 = 4.
    [InlineData("""{ "labels": [20, 60], "protocol": "streams", "labeledInUnlabeledPool": false, "validation": 20, "batchSize": 30 }""", 8, "5,5,5,5,4,4,4,4")]
    // validation images in the pool: all 200, 5 steps; trainLimit: the first 150, 3 steps.
    [InlineData("""{ "labels": [20], "validation": 20, "validationInUnlabeledPool": true, "batchSize": 40 }""", 4, "5,5,5,5")]
    [InlineData("""{ "labels": [20], "trainLimit": 150, "batchSize": 40 }""", 4, "3,3,3,3")]
    public void Lists_every_run_with_its_steps_and_writes_nothing(string fields, int runs, string steps)
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, fields.Replace("{", """{ "name": "d", "seeds": [1, 2], "epochs": 3, "methods": ["baseline", "supervised"], "sampleCount": 0, """));
        string outDir = Path.Combine(dir, "out");
        var before = Tree(dir);

        var (code, output, err) = CliCapture.Run("run", exp, "--dry-run", "--out", outDir, "--data", data, "--no-verify", "--device", "cpu");

        Assert.True(code == 0, err);
        Assert.Equal("", err);
        var lines = Runs(output);
        Assert.Equal(runs, lines.Count);
        Assert.Equal(steps, string.Join(",", lines.Select(m => m.Groups["steps"].Value)));
        Assert.All(lines, m => Assert.Equal("3", m.Groups["epochs"].Value));
        Assert.Contains($"steps: {steps.Split(',').Sum(int.Parse) * 3} to train", output);
        Assert.False(Directory.Exists(outDir));
        Assert.Equal(before, Tree(dir));
    }

    [Fact]
    public void Its_steps_are_the_ones_the_run_then_trains()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """
            { "name": "d", "seeds": [1], "epochs": 1, "methods": ["baseline"], "sampleCount": 0, "labels": [20, 60], "protocol": "streams",
              "labeledInUnlabeledPool": false, "validation": 20, "batchSize": 30 }
            """);
        string[] args = ["run", exp, "--out", Path.Combine(dir, "out"), "--data", data, "--no-verify", "--device", "cpu", "--fast-path", "reference"];
        var (code, planned, err) = CliCapture.Run([.. args, "--dry-run"]);
        Assert.True(code == 0, err);
        (code, var trained, err) = CliCapture.Run(args);
        Assert.True(code == 0, err);

        var plan = Runs(planned).ToDictionary(m => m.Groups["id"].Value, m => m.Groups["steps"].Value);
        var done = Regex.Matches(trained, @"training (\S+): (\d+) steps/epoch").ToDictionary(m => m.Groups[1].Value, m => m.Groups[2].Value);
        Assert.Equal(2, plan.Count);
        Assert.Equal(plan.OrderBy(x => x.Key), done.OrderBy(x => x.Key));
        Assert.Equal(["5", "4"], plan.Values); // (180 - 20) / 30 and (180 - 60) / 30
    }

    [Fact]
    public void Estimates_from_a_bench_file_or_the_folders_own_epoch_times_and_says_when_it_cannot()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json");
        // 200 images / batch 50 = 4 steps per epoch, 10 epochs, 100 test images.
        File.WriteAllText(exp, """{ "name": "d", "labels": 20, "seeds": [1, 2], "epochs": 10, "methods": ["baseline"], "batchSize": 50, "sampleCount": 0 }""");
        string outDir = Path.Combine(dir, "out");
        string[] args = ["run", exp, "--dry-run", "--out", outDir, "--data", data, "--no-verify", "--device", "cpu"];
        string cwd = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(dir); // the default bench lookup is results/bench*.json below the current folder
        try
        {
            var (code, output, err) = CliCapture.Run(args);
            Assert.True(code == 0, err);
            Assert.Contains("no estimate: run semigan bench --json " + Path.Combine("results", "bench.json"), output);

            // As `semigan bench --json` writes it: a baseline step of 100 ms at batch 100 is 50 ms at batch 50, 0.2 s an
            // epoch; evaluation at 100 images/s takes 1 s for the 100 test images: 1.2 s x 10 epochs = 12 s a run.
            Directory.CreateDirectory("results");
            File.WriteAllText(Path.Combine("results", "bench-old.json"), Bench(baselineMs: 1000, evalImagesPerSecond: 1));
            File.SetLastWriteTimeUtc(Path.Combine("results", "bench-old.json"), DateTime.UtcNow.AddDays(-1));
            File.WriteAllText(Path.Combine("results", "bench.json"), Bench(baselineMs: 100, evalImagesPerSecond: 100));
            (code, output, err) = CliCapture.Run(args);
            Assert.True(code == 0, err);
            Assert.Equal(2, Regex.Matches(output, @"labels, 4 steps/epoch x 10 epochs, about 12 s").Count);
            Assert.Contains($"estimate: 24 s in one process, from {Path.Combine("results", "bench.json")} (cpu, 1 torch threads): baseline masked 50.0 ms/step, evaluation 1.00 s/epoch", output);
            // --bench names the file: 500 ms a step at batch 50 and 100 s of evaluation an epoch, 10 x 102 s = 17.0 min a run.
            (code, output, _) = CliCapture.Run([.. args, "--bench", Path.Combine("results", "bench-old.json")]);
            Assert.Equal(0, code);
            Assert.Contains("about 17.0 min", output);
            Assert.Contains("estimate: 34.0 min in one process", output);

            // A folder holding this experiment: seed 2 ended, seed 1 checkpointed after epoch 2 of its 10, its two epochs
            // took 0.8 + 1.2 s for 8 steps (0.25 s a step): 8 epochs x (4 x 0.25 s + 1 s of evaluation from the bench) = 16 s.
            var cfg = ValidateCommand.Load(exp, null, null);
            var folder = RunOutput.Open(outDir, cfg);
            folder.WriteConfig(cfg);
            var (one, two) = (cfg.Runs().Single(r => r.Seed == 1), cfg.Runs().Single(r => r.Seed == 2));
            RunStatusCsv.Rewrite(folder.RunsCsv, [new RunStatus { RunId = two.Id, Run = two, Status = RunStatus.Finished, Epoch = 10 }]);
            EpochCsv.Rewrite(folder.EpochsCsv, [Row(1, 0.8), Row(2, 1.2)]);
            Directory.CreateDirectory(folder.CheckpointFolder(one));
            File.WriteAllText(Path.Combine(folder.CheckpointFolder(one), "latest.json"), System.Text.Json.JsonSerializer.Serialize(new CheckpointMeta(one.Id, 2, 8, 400, 40)));
            var before = Tree(outDir);
            (code, output, err) = CliCapture.Run(args);
            Assert.True(code == 0, err);
            Assert.Contains("(holds this experiment: 1 runs ended)", output);
            Assert.Contains($"  {one.Id}: method baseline, seed 1, 20 labels, 4 steps/epoch x 10 epochs (resumes after epoch 2), about 16 s", output);
            Assert.Contains($"  {two.Id}: method baseline, seed 2, 20 labels, 4 steps/epoch x 10 epochs (ended)", output);
            Assert.Contains("steps: 32 to train (80 in all)", output);
            Assert.Contains($"estimate: 16 s in one process, from 2 epochs in {folder.EpochsCsv}: baseline masked 250.0 ms/step; {Path.Combine("results", "bench.json")} (cpu, 1 torch threads): evaluation 1.00 s/epoch", output);
            Assert.Equal(before, Tree(outDir)); // rows past the checkpoint stay: only a real run drops them

            // Another configuration on that folder is refused as a run would refuse it.
            (code, output, err) = CliCapture.Run([.. args, "--set", "dropout=0.1"]);
            Assert.Equal(2, code);
            Assert.Contains("different configuration", err);
            Assert.Equal("", output);
            Assert.Equal(before, Tree(outDir));
        }
        finally { Directory.SetCurrentDirectory(cwd); }
    }

    static EpochRecord Row(int epoch, double seconds) => new()
    {
        Experiment = "d", Run = Training.RunSpec.Of(20, "masked", "gan_logit", 1, "baseline", "mnist"), Epoch = epoch,
        Iterations = 4 * epoch, ImagesSeen = 200 * epoch, LabeledImagesSeen = 20 * epoch, TestAccuracy = 0.5, TestLoss = 1, EpochSeconds = seconds,
    };

    static string Bench(double baselineMs, double evalImagesPerSecond) => $$"""
        { "Device": "cpu", "Threads": 1, "BatchSize": 100, "results": [
          { "Name": "baseline method step (streams)", "MedianMs": {{baselineMs}}, "ImagesPerSecond": 1000 },
          { "Name": "evaluation (10,000 images)", "MedianMs": 1, "ImagesPerSecond": {{evalImagesPerSecond}} } ] }
        """;
}
