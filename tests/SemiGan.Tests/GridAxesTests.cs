using SemiGan.Config;

namespace SemiGan.Tests;

public class GridAxesTests
{
    static ExperimentConfig Load(string json)
    {
        string path = Path.Combine(Synthetic.TempDir(), "e.json");
        File.WriteAllText(path, json);
        return ExperimentConfig.Load(path);
    }

    [Fact]
    public void A_list_valued_hyperparameter_is_a_grid_axis_of_named_variants_with_their_comparisons()
    {
        var cfg = Load("""{ "name": "g", "labels": 100, "seeds": [1, 2], "epochs": 1, "learningRate": [0.001, 0.0003], "dropout": [0.3, 0.5] }""");
        Assert.Equal(
            ["sgan-lr0.001-dropout0.3", "baseline-lr0.001-dropout0.3", "sgan-lr0.001-dropout0.5", "baseline-lr0.001-dropout0.5",
             "sgan-lr0.0003-dropout0.3", "baseline-lr0.0003-dropout0.3", "sgan-lr0.0003-dropout0.5", "baseline-lr0.0003-dropout0.5"],
            cfg.Methods);
        Assert.Equal(16, cfg.Runs().Count()); // 8 variants x 2 seeds
        var s = cfg.SettingsOf("baseline-lr0.0003-dropout0.5");
        Assert.Equal((0.0003, 0.5), (s.LearningRate, s.Dropout));
        Assert.Equal("baseline", cfg.MethodOf("baseline-lr0.0003-dropout0.5").Name);
        // The value is in the run id (and so in the CSV's method column).
        Assert.StartsWith("sgan-lr0.0003-dropout0.5-mnist-", cfg.Runs().Last(r => r.Method.StartsWith("sgan")).Id);
        // Each method against the reference at the same values.
        Assert.Contains(("sgan-lr0.0003-dropout0.5", "baseline-lr0.0003-dropout0.5"), cfg.GainPairs());
        Assert.Equal(4, cfg.GainPairs().Count);
        // config.json records the expanded grid and reads back to the same config.
        string path = Path.Combine(Synthetic.TempDir(), "config.json");
        File.WriteAllText(path, cfg.ToJson());
        Assert.Equal(cfg.ToJson(), ExperimentConfig.Load(path).ToJson());
    }

    [Fact]
    public void A_scalar_file_is_unchanged_and_a_bad_axis_is_one_line()
    {
        var cfg = Load("""{ "name": "g", "labels": 100, "seeds": [1], "epochs": 1, "learningRate": 0.001 }""");
        Assert.Equal(["sgan", "baseline"], cfg.Methods);
        var e = Assert.Throws<ConfigException>(() => Load("""{ "name": "g", "labels": 100, "seeds": [1], "epochs": 1, "learningRate": ["fast"] }"""));
        Assert.Contains("learningRate", e.Message);
        Assert.Single(e.Message.Split('\n'));
    }
}
