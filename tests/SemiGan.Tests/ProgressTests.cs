using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Results;

namespace SemiGan.Tests;

/// <summary>Progress a log can follow: each epoch line says run k/N and the time left, weighted by each method's measured step cost; run.log keeps every line.</summary>
public class ProgressTests
{
    [Fact]
    public void The_time_left_weighs_each_method_by_its_measured_cost_per_step()
    {
        var eta = new Eta();
        Assert.Null(eta.Remaining([("sgan", 10)]));
        eta.Record("sgan", 100, 10);      // 0.1 s a step
        eta.Record("sgan", 100, 30);      // then 0.3: 0.2 on average
        eta.Record("supervised", 50, 1);  // 0.02 s a step
        Assert.Equal(0.2, eta.SecondsPerStep("sgan")!.Value, 12);
        Assert.Equal(10 * 0.2 + 100 * 0.02, eta.Remaining([("sgan", 10), ("supervised", 100)])!.Value, 9);
        // A method not measured yet: the mean cost per step of those that were (41 s over 250 steps).
        Assert.Equal(5 * 41.0 / 250, eta.Remaining([("vat", 5)])!.Value, 9);
        Assert.Equal("2 h 05 min", Eta.Describe(2 * 3600 + 5 * 60));
        Assert.Equal("12 min", Eta.Describe(12 * 60 + 10));
        Assert.Equal("40 s", Eta.Describe(40));
    }

    [Fact]
    public void A_method_not_yet_measured_is_priced_by_its_bench_ratio_to_a_measured_one()
    {
        var eta = new Eta { Prior = new Dictionary<string, double> { ["sgan"] = 70, ["supervised"] = 14, ["vat"] = 42 } };
        eta.Record("supervised", 600, 6); // 10 ms a step here, against 14 ms in the bench
        Assert.Equal(0.05, eta.SecondsPerStep("sgan")!.Value, 12); // 10 ms x 70 / 14
        Assert.Equal(0.01, eta.SecondsPerStep("supervised")!.Value, 12);
        Assert.Equal(0.01, eta.SecondsPerStep("fixmatch")!.Value, 12); // not in the bench: the measured mean
        eta.Record("vat", 10, 1); // fewer steps behind it than supervised: supervised stays the yardstick
        Assert.Equal(0.05, eta.SecondsPerStep("sgan")!.Value, 12);
        Assert.Equal(600 * 0.05 + 600 * 0.01, eta.Remaining([("sgan", 600), ("supervised", 600)])!.Value, 9);
    }

    [Fact]
    public void Each_epoch_line_says_run_k_of_n_and_the_time_left_and_run_log_keeps_the_lines_across_a_resume()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json"), outDir = Path.Combine(dir, "out");
        File.WriteAllText(exp, """{ "name": "e", "labels": 100, "seeds": [1], "epochs": 2, "batchSize": 50, "sampleCount": 0, "evalBatchSize": 100, "methods": ["sgan", "supervised"] }""");
        var (code, output, _) = CliCapture.Run("run", exp, "--out", outDir, "--data", data, "--no-verify", "--shard", "1/2");
        Assert.Equal(0, code);
        var epochLines = output.Split('\n').Where(l => l.Contains(" epoch ", StringComparison.Ordinal) && l.Contains("test accuracy", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, epochLines.Count); // shard 1/2: the sgan run, one line per epoch
        Assert.All(epochLines, l => Assert.Matches(@"; run 1/1, about \d+ (s|min) left\s*$", l));
        string log = File.ReadAllText(Path.Combine(outDir, "run.log"));
        Assert.Contains("fast path check", log); // printed before the folder was locked, written once it was
        Assert.All(epochLines, l => Assert.Contains(l.TrimEnd(), log));

        // The other shard into the same folder: appended, with its own header.
        (code, output, _) = CliCapture.Run("run", exp, "--out", outDir, "--data", data, "--no-verify");
        Assert.Equal(0, code);
        Assert.Matches(@"supervised-\S+ epoch 2/2: .*; run 2/2, about \d+ s left", output);
        log = File.ReadAllText(Path.Combine(outDir, "run.log"));
        Assert.Equal(2, log.Split('\n').Count(l => l.StartsWith("== ", StringComparison.Ordinal)));
        Assert.Contains("resuming: 1 of 2 runs already ended", log);
    }

    [Fact]
    public void A_resumed_grid_prices_its_remaining_runs_from_the_epochs_already_in_the_folder()
    {
        using var data = Synthetic.Dataset(train: 300, test: 100);
        var cfg = new ExperimentConfig
        {
            Name = "eta", Labels = [100], Seeds = [1], Epochs = 2, Protocol = ["streams"], BatchSize = 50, EvalBatchSize = 100,
            SampleCount = 0, Methods = ["sgan", "supervised"],
        }.Validated();
        string dir = Synthetic.TempDir();
        var output = RunOutput.Open(Path.Combine(dir, "out"), cfg);
        Assert.Throws<InvalidOperationException>(() => new ExperimentRunner(cfg, data, output, TorchSharp.torch.CPU)
        {
            Progress = p => { if (p.StepsDone == p.StepsTotal / 4 + 1) throw new InvalidOperationException("killed in sgan's epoch 2"); },
        }.Run());
        // The sgan epoch already written claims an hour: the resumed process has measured nothing itself yet.
        var written = EpochCsv.Read(output.EpochsCsv);
        Assert.Equal("sgan", Assert.Single(written).Run.Method);
        EpochCsv.Rewrite(output.EpochsCsv, [written[0] with { EpochSeconds = 3600 }]);

        var lines = new List<string>();
        new ExperimentRunner(cfg, data, RunOutput.Open(Path.Combine(dir, "out"), cfg), TorchSharp.torch.CPU) { Log = lines.Add }.Run();
        // sgan's epoch 2 ends with supervised's two epochs left, priced at the only cost measured: about an hour per sgan epoch
        // (3600 s from the folder plus this process's few seconds, over two epochs' steps). Unseeded, it would say seconds.
        string line = Assert.Single(lines, l => l.Contains("sgan-", StringComparison.Ordinal) && l.Contains(" epoch 2/2", StringComparison.Ordinal));
        Assert.Matches(@"run 1/2, about (59 min|1 h 0\d min) left$", line);
    }
}
