namespace SemiGan.Tests;

/// <summary>The main job ends with the answer: once a grid has ended, `run` writes report.md and prints each gain.</summary>
public class RunAnswerTests
{
    [Fact]
    public void A_finished_grid_prints_its_gains_and_writes_the_report_and_a_shard_does_not()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """{ "name": "e", "labels": 100, "seeds": [1, 2], "epochs": 1, "batchSize": 50, "sampleCount": 0, "evalBatchSize": 100, "learningRate": 0.002 }""");

        // Half the grid (a shard): no answer yet, no report.
        string shardOut = Path.Combine(dir, "shard");
        var (code, output, _) = CliCapture.Run("run", exp, "--out", shardOut, "--data", data, "--no-verify", "--shard", "1/2");
        Assert.Equal(0, code);
        Assert.DoesNotContain("gain ", output);
        Assert.False(File.Exists(Path.Combine(shardOut, "report.md")));

        string outDir = Path.Combine(dir, "out");
        (code, output, _) = CliCapture.Run("run", exp, "--out", outDir, "--data", data, "--no-verify");
        Assert.Equal(0, code);
        var lines = output.Trim().Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        // The last lines: the table of gains (with CI and p over 2 seeds), the report, the folder.
        Assert.Equal("gains in final test accuracy (last epoch), paired by seed:", lines[^5]);
        Assert.Matches(@"^  gain +labels +protocol +head +mean +95% CI +paired p +seeds$", lines[^4]);
        Assert.Matches(@"^  sgan − baseline +100 +masked +gan_logit +[+−]\d+\.\d\d pp +\[[+−]\d+\.\d\d, [+−]\d+\.\d\d\] +(\d\.\d{3}|\d\.\dE[+-]\d+) +2$", lines[^3]);
        Assert.StartsWith("report: ", lines[^2]);
        Assert.StartsWith("done: ", lines[^1]);
        Assert.True(File.Exists(Path.Combine(outDir, "report.md")));
        Assert.Contains("sgan − baseline", File.ReadAllText(Path.Combine(outDir, "report.md")));
    }
}
