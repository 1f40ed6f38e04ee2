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
        Assert.Equal("masked", c.Protocol);
        Assert.Equal("gan_logit", c.Head);
        Assert.Equal(100, c.BatchSize);
        Assert.Equal(2e-4, c.LearningRate);
        Assert.Equal(["sgan", "baseline"], c.Models);
    }

    [Fact]
    public void Shipped_experiments_are_valid()
    {
        string dir = Path.Combine(RepoRoot.Path, "experiments");
        foreach (string f in Directory.GetFiles(dir, "*.json")) ExperimentConfig.Load(f);
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
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "models": ["gan"] }""", "models")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [], "epochs": 2 }""", "seeds")]
    [InlineData("""{ "name": "t", "labels": 100, "seeds": [1], "epochs": 2, "labeledInUnlabeledPool": false }""", "labeledInUnlabeledPool")]
    [InlineData("""{ "name": "t", "seeds": [1], "epochs": 2 }""", "labels")]
    public void Bad_files_are_rejected_naming_the_field(string json, string field)
    {
        var e = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(Write(json)));
        Assert.Contains(field, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Resolved_config_round_trips_through_json()
    {
        var c = ExperimentConfig.Load(Write(Minimal)) with { Seeds = [3, 4] };
        var back = ExperimentConfig.Load(Write(c.ToJson()));
        Assert.Equal(c.ToJson(), back.ToJson());
    }
}
