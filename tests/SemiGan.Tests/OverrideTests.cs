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
        // The resolved per-method settings (what the method trained with) follow the top-level fields.
        Assert.Equal(0.001, (double)config["methodSettings"]!["baseline"]!["learningRate"]!);
        Assert.Equal(0.5, (double)config["methodSettings"]!["baseline"]!["dropout"]!);
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
    [InlineData("dropout=abc", "--set dropout=abc: dropout: The JSON value could not be converted")]
    [InlineData("dropout=1.5", "--set dropout=1.5: dropout: 1.5 must be in [0, 1)")]
    [InlineData("labels=[100,15]", "--set labels=[100,15]: labels: 15 must be a positive multiple of 10")]
    [InlineData("methods=[sgan,vae]", "--set methods=[sgan,vae]: methods: 'vae' is neither a method")]
    [InlineData("methodSettings.baseline.learningRat=0.1", "--set methodSettings.baseline.learningRat=0.1: unknown field 'methodSettings.baseline.learningRat'")]
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
        Assert.True(cfg.SettingsOf("baseline").WholeBatch);
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
