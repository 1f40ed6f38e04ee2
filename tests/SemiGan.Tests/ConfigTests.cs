using SemiGan.Models;
using SemiGan.Training;
using SemiGan.Config;

namespace SemiGan.Tests;

public class ConfigTests
{
    static string Write(string json)
    {
        string p = Path.Combine(Synthetic.TempDir(), "e.json");
        File.WriteAllText(p, json);
        return p;
    }

    const string Minimal = """{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2 }""";

    [Fact]
    public void Minimal_file_loads_with_documented_defaults()
    {
        var c = ExperimentConfig.Load(Write(Minimal));
        Assert.Equal(["masked"], c.Protocol);
        Assert.Equal(["gan_logit"], c.Head);
        Assert.Equal([100], c.Labels);
        Assert.Equal(100, c.BatchSize);
        Assert.Equal(2e-4, c.LearningRate);
        Assert.Equal(["sgan", "baseline"], c.Methods);
    }

    [Fact]
    public void Shipped_experiments_are_valid()
    {
        string dir = Path.Combine(RepoRoot.Path, "experiments");
        // settingsFrom paths are relative to the current folder: the repository's root, as in the README's commands.
        string before = Directory.GetCurrentDirectory();
        Directory.SetCurrentDirectory(RepoRoot.Path);
        try
        {
            // Experiments, and tune files (`semigan tune`: their methods is an object of searches, not a list).
            foreach (string f in Directory.GetFiles(dir, "*.json"))
                if (System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(f), null, new() { CommentHandling = System.Text.Json.JsonCommentHandling.Skip })!["methods"] is System.Text.Json.Nodes.JsonObject)
                    Assert.NotEmpty(TuneFile.Load(f).Trials);
                else ExperimentConfig.Load(f);
        }
        finally { Directory.SetCurrentDirectory(before); }
        Assert.True(File.Exists(Path.Combine(dir, "seed-1000.json")));
        Assert.True(File.Exists(Path.Combine(dir, "quick.json")));
    }

    [Theory]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "lables": 5 }""", "lables")]
    [InlineData("""{ "name": "t", "labels": 105, "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": -10, "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": 70000, "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 0 }""", "epochs")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "batchSize": 0 }""", "batchSize")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "protocol": "stream" }""", "protocol")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "head": "softmax" }""", "head")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "methods": ["gan"] }""", "methods")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "reference": "vae" }""", "reference")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "methods": ["sgan"], "reference": "baseline" }""", "reference")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [], "epochs": 2 }""", "seeds")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "labeledInUnlabeledPool": false }""", "labeledInUnlabeledPool")]
    [InlineData("""{ "name": "t", "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": "many", "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": "ten" }""", "epochs")]
    public void Bad_files_are_rejected_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(Write(json)));
        Assert.Contains(field, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Grid_expands_every_combination_with_both_models_of_a_seed_adjacent()
    {
        var c = ExperimentConfig.Load(Write(
            """{ "name": "g", "labels": [20, 100], "seeds": [1, 2, 3], "epochs": 1, "protocol": ["masked", "streams"], "head": "softmax11" }"""));
        var runs = c.Runs().ToList();
        Assert.Equal(2 * 2 * 1 * 3 * 2, runs.Count);
        Assert.Equal(runs.Count, runs.Select(r => r.Id).Distinct().Count());
        Assert.All(runs, r => Assert.Equal(KPlusOneHead.Softmax11, r.Head));
        Assert.Equal(new RunSpec(20, Protocol.Masked, KPlusOneHead.Softmax11, 1, "sgan"), runs[0]);
        Assert.Equal(new RunSpec(20, Protocol.Masked, KPlusOneHead.Softmax11, 1, "baseline"), runs[1]);
        Assert.Equal(new RunSpec(100, Protocol.Streams, KPlusOneHead.Softmax11, 3, "baseline"), runs[^1]);
    }

    [Theory]
    [InlineData("""{ "name": "t", "labels": [100, 100], "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": [100, 25], "seeds": [1], "epochs": 2 }""", "labels")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "protocol": ["masked", "bogus"] }""", "protocol")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1, 1], "epochs": 2 }""", "seeds")]
    public void Bad_grids_are_rejected(string json, string field) =>
        Assert.Contains(field, Assert.Throws<ConfigException>(() => ExperimentConfig.Load(Write(json))).Message);

    [Fact]
    public void Unknown_field_message_lists_the_allowed_fields()
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(Write("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "lr": 1 }""")));
        Assert.Contains("unknown field 'lr'", e.Message);
        foreach (var f in new[] { "learningRate", "batchSize", "protocol", "head", "methods", "reference", "labeledInUnlabeledPool" }) Assert.Contains(f, e.Message);
    }

    [Fact]
    public void Resolved_config_round_trips_through_json()
    {
        var c = ExperimentConfig.Load(Write(Minimal)) with { Seeds = [3, 4] };
        var back = ExperimentConfig.Load(Write(c.ToJson()));
        Assert.Equal(c.ToJson(), back.ToJson());
    }

    [Fact]
    public void The_reference_defaults_to_the_baseline_when_trained_and_old_files_say_models()
    {
        var both = ExperimentConfig.Load(Write("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2 }"""));
        Assert.Equal("baseline", both.Reference);
        var alone = ExperimentConfig.Load(Write("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "methods": ["sgan"] }"""));
        Assert.Null(alone.Reference);
        // Result folders written before the rename hold "models"; they load (and resume) as the same experiment.
        var legacy = ExperimentConfig.Load(Write("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "models": ["sgan", "baseline"] }"""));
        Assert.Equal(both.ToJson(), legacy.ToJson());
        Assert.DoesNotContain("\"models\"", legacy.ToJson());
    }

    [Fact]
    public void A_run_is_named_by_its_dataset_too_and_older_names_stay_readable()
    {
        var run = new RunSpec(100, Protocol.Masked, KPlusOneHead.GanLogit, 2, "sgan") { Dataset = "fashion-mnist" };
        Assert.Equal("sgan-fashion-mnist-masked-gan_logit-labels-100-seed-2", run.Id);
        Assert.Equal("sgan-masked-gan_logit-labels-100-seed-2", run.LegacyId);
        Assert.Equal("mnist", new RunSpec(100, Protocol.Masked, KPlusOneHead.GanLogit, 2, "sgan").Dataset);
        var cfg = ExperimentConfig.Load(Write("""{ "name": "t", "dataset": "fashion-mnist", "labels": 100, "seeds": [1], "epochs": 2 }"""));
        Assert.All(cfg.Runs(), r => Assert.Equal("fashion-mnist", r.Dataset));
    }
}
