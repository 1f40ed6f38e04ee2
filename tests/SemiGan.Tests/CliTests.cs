using SemiGan.Cli;

namespace SemiGan.Tests;

public class CliTests
{
    internal static int Run(params string[] args)
    {
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        try { int code = CliApp.Run(args); LastError = sw.ToString(); return code; }
        finally { Console.SetError(err); }
    }

    internal static string LastError = "";

    /// <summary>A fresh folder holding one experiment file.</summary>
    static (string Dir, string Exp) Experiment(string json, string file = "ok.json")
    {
        string dir = Synthetic.TempDir();
        string exp = Path.Combine(dir, file);
        File.WriteAllText(exp, json);
        return (dir, exp);
    }

    const string Ok = """{ "name": "ok", "labels": 100, "seeds": [1], "epochs": 1 }""";

    [Theory]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "learningrate": 0.1 }""", "learningrate")]
    [InlineData("""{ "name": "x", "labels": 0, "seeds": [1], "epochs": 1 }""", "labels")]
    [InlineData("""{ "name": "x", "labels": 15, "seeds": [1], "epochs": 1 }""", "labels")]
    [InlineData("""{ "name": "x", "labels": 60010, "seeds": [1], "epochs": 1 }""", "labels")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": -1 }""", "epochs")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "batchSize": 0 }""", "batchSize")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "batchSize": 1 }""", "batchSize")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "evalBatchSize": -5 }""", "evalBatchSize")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["sgan", "vae"] }""", "methods")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "protocol": "batches" }""", "protocol")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "head": "sigmoid" }""", "head")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "dataset": "cifar10" }""", "dataset")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["sgan"], "reference": "baseline" }""", "reference")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "validation": 55 }""", "validation")]
    [InlineData("""{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "select": "best-test" }""", "select")]
    public void Every_invalid_experiment_exits_2_naming_the_field_and_writes_nothing(string json, string field)
    {
        var (dir, exp) = Experiment(json, "bad.json");
        string outDir = Path.Combine(dir, "out");

        Assert.Equal(2, Run("run", exp, "--out", outDir));
        Assert.Contains(field, LastError);
        Assert.Single(LastError.Trim().Split('\n'));
        Assert.False(Directory.Exists(outDir));
        Assert.Equal(["bad.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void Existing_results_are_never_overwritten()
    {
        var (dir, exp) = Experiment(Ok);
        string outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "epochs.csv"), "precious");

        Assert.Equal(2, Run("run", exp, "--out", outDir));
        Assert.Contains("already holds", LastError);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outDir, "epochs.csv")));
        Assert.Single(Directory.GetFileSystemEntries(outDir));

        // A folder holding a different experiment is refused too, and left as it was.
        File.WriteAllText(Path.Combine(outDir, "config.json"), """{ "name": "other", "labels": 100, "seeds": [1], "epochs": 5 }""");
        Assert.Equal(2, Run("run", exp, "--out", outDir));
        Assert.Contains("different configuration", LastError);
        Assert.Equal(2, Directory.GetFileSystemEntries(outDir).Length);
    }

    [Fact]
    public void Unwritable_output_is_reported_before_training()
    {
        var (dir, exp) = Experiment(Ok);
        string aFile = Path.Combine(dir, "file");
        File.WriteAllText(aFile, "x");

        Assert.Equal(2, Run("run", exp, "--out", Path.Combine(aFile, "sub")));
        Assert.Contains("is a file, so no folder can be made under it", LastError); // refused before the writability probe, naming the file
    }

    [Fact]
    public void Missing_experiment_file_and_bad_overrides_exit_2()
    {
        Assert.Equal(2, Run("run", "no-such-file.json"));
        Assert.Contains("no-such-file.json", LastError);
        var (_, exp) = Experiment(Ok);
        Assert.Equal(2, Run("run", exp, "--epochs", "0"));
        Assert.Contains("epochs", LastError);
        Assert.Equal(2, Run("run", exp, "--seeds", "1,x"));
        Assert.Equal(2, Run("run", exp, "--device", "tpu"));
        Assert.Equal(2, Run("run", exp, "--shard", "3/2"));
        Assert.Contains("--shard", LastError);
    }
}
