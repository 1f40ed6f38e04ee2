using SemiGan.Experiments;
using System.Diagnostics;
using SemiGan.Cli;
using SemiGan.Config;
using SemiGan.Reports;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Long-run safety: kill and resume, divergence, shards and merging.</summary>
public class RobustnessTests
{
    static List<EpochRecord> Untimed(IEnumerable<EpochRecord> rows) => rows.Select(r => r.Untimed()).ToList();

    [Fact]
    public void Killed_child_process_resumes_to_exactly_the_rows_of_an_uninterrupted_run()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 2000, test: 200);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """{ "name": "kill", "labels": 100, "seeds": [1], "epochs": 3, "models": ["sgan", "baseline"], "batchSize": 50, "sampleCount": 4 }""");
        string[] Args(string outDir) => ["run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu"];

        // Interrupted: a real child process that signals (test-hold.marker) once it has trained step 3 of the
        // first run's epoch 2, then blocks until it is killed there: after epoch 1's row and checkpoint, mid-epoch.
        string killed = Path.Combine(dir, "killed");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "semigan.dll"));
        foreach (var a in Args(killed)) psi.ArgumentList.Add(a);
        psi.Environment["SEMIGAN_TEST_HOLD_AFTER_STEP"] = "2:3";
        string marker = Path.Combine(killed, "test-hold.marker");
        using (var child = Process.Start(psi)!)
        {
            try
            {
                child.OutputDataReceived += (_, _) => { };
                child.ErrorDataReceived += (_, _) => { };
                child.BeginOutputReadLine();
                child.BeginErrorReadLine();
                // Waits for the child's signal; the limit only stops a broken child from hanging the test.
                var clock = Stopwatch.StartNew();
                while (!File.Exists(marker) && !child.HasExited && clock.Elapsed < TimeSpan.FromMinutes(10)) Thread.Sleep(50);
                Assert.True(File.Exists(marker), child.HasExited ? $"the child exited ({child.ExitCode}) without reaching the hold" : "the child never reached the hold");
                Assert.False(child.HasExited, "the child did not hold at the marker");
            }
            finally
            {
                if (!child.HasExited) child.Kill(entireProcessTree: true);
                child.WaitForExit();
            }
        }
        Assert.Equal("2:3\n", File.ReadAllText(marker));
        File.Delete(marker);
        Assert.True(RunStatusCsv.Read(Path.Combine(killed, "runs.csv")).Count == 0, "the first run had already ended: the kill tested nothing");
        var before = EpochCsv.Read(Path.Combine(killed, "epochs.csv"));
        Assert.Equal([1], before.Select(r => r.Epoch)); // held inside epoch 2: epoch 1's row only
        Assert.Equal(1, new Checkpoint(Path.Combine(killed, "checkpoints", "sgan-mnist-masked-gan_logit-labels-100-seed-1")).LatestEpoch());

        // Resumed: the same command on the same folder.
        Assert.Equal(0, CliApp.Run(Args(killed)));
        // Uninterrupted, for comparison.
        string clean = Path.Combine(dir, "clean");
        Assert.Equal(0, CliApp.Run(Args(clean)));

        var expected = Untimed(EpochCsv.Read(Path.Combine(clean, "epochs.csv")));
        var actual = Untimed(EpochCsv.Read(Path.Combine(killed, "epochs.csv")));
        Assert.Equal(6, expected.Count);
        Assert.Equal(expected, actual);
        Assert.Equal(RunStatusCsv.Read(Path.Combine(clean, "runs.csv")), RunStatusCsv.Read(Path.Combine(killed, "runs.csv")));
        Assert.False(Directory.Exists(Path.Combine(killed, "checkpoints", "sgan-mnist-masked-gan_logit-labels-100-seed-1")), "an ended run keeps no checkpoint");
    }

    [Fact]
    public void Rows_past_the_checkpoint_and_a_torn_line_are_dropped_on_resume()
    {
        using var data = Synthetic.Dataset(train: 200, test: 100);
        var cfg = new ExperimentConfig { Name = "torn", Labels = [100], Seeds = [1], Epochs = 2, Models = ["baseline"], BatchSize = 50 }.Validated();
        string dir = Synthetic.TempDir();
        string full = Path.Combine(dir, "full");
        var expected = Untimed(new ExperimentRunner(cfg, data, RunOutput.Open(full, cfg), CPU).Run());

        // A crash inside epoch 2 (after epoch 1's row and checkpoint), then a row the checkpoint does
        // not cover and a torn line, as a crash during a later write would leave them.
        string crashed = Path.Combine(dir, "crashed");
        var output = RunOutput.Open(crashed, cfg);
        int steps = 0;
        Assert.Throws<InvalidOperationException>(() => new ExperimentRunner(cfg, data, output, CPU)
        {
            Progress = _ => { if (++steps == 6) throw new InvalidOperationException("crash in epoch 2"); },
        }.Run());
        var fake = expected[1] with { TestAccuracy = 0.123 };
        EpochCsv.Append(output.EpochsCsv, [fake]);
        File.AppendAllText(output.EpochsCsv, "torn,baseline,mas");

        var rows = new ExperimentRunner(cfg, data, RunOutput.Open(crashed, cfg), CPU).Run();
        Assert.Equal(expected, Untimed(rows));
        Assert.Equal(expected, Untimed(EpochCsv.Read(output.EpochsCsv)));
        Assert.EndsWith("\n", File.ReadAllText(output.EpochsCsv));
    }

    [Fact]
    public void A_diverging_run_is_marked_and_the_grid_goes_on()
    {
        using var data = Synthetic.Dataset(train: 200, test: 100);
        var cfg = new ExperimentConfig { Name = "nan", Labels = [100], Seeds = [1], Epochs = 2, BatchSize = 50, SampleCount = 0 }.Validated();
        var split = SemiGan.Data.LabeledSplit.Create(data.TrainLabelsHost, 100, 1);
        int unlabeled = Enumerable.Range(0, 200).First(i => !split.Indices.Contains(i));
        data.TrainImages[unlabeled].fill_(float.NaN); // only the SGAN's unsupervised loss ever sees this image
        string dir = Path.Combine(Synthetic.TempDir(), "run");
        var output = RunOutput.Open(dir, cfg);

        var rows = new ExperimentRunner(cfg, data, output, CPU).Run();

        var status = RunStatusCsv.Read(output.RunsCsv).ToDictionary(s => s.Run.Method);
        Assert.Equal(RunStatus.Diverged, status["sgan"].Status);
        Assert.Equal(1, status["sgan"].Epoch);
        Assert.Contains("unsupervised_loss is NaN", status["sgan"].Detail);
        Assert.Equal(RunStatus.Finished, status["baseline"].Status); // the grid went on
        Assert.Equal(2, rows.Count(r => r.Run.Method == "baseline"));
        Assert.Single(rows, r => r.Run.Method == "sgan");

        string report = File.ReadAllText(ReportWriter.Write(dir));
        Assert.Contains("diverged: 1", report);
        Assert.Contains("| 100 | sgan | masked | gan_logit | 1 | diverged (", report);
    }

    [Fact]
    public void Shards_partition_the_grid()
    {
        var cfg = new ExperimentConfig { Name = "s", Labels = [20, 100], Seeds = [1, 2, 3], Epochs = 1, Protocol = ["masked", "streams"] }.Validated();
        var all = cfg.Runs().ToList();
        foreach (int n in new[] { 1, 2, 3, 5, 24, 30 })
        {
            var parts = Enumerable.Range(1, n).Select(i => new Shard(i, n).Select(all)).ToList();
            Assert.Equal(all.Count, parts.Sum(p => p.Count));
            Assert.Equal(all.ToHashSet(), parts.SelectMany(p => p).ToHashSet());
        }
        Assert.Equal(new Shard(2, 4), Shard.Parse("2/4"));
        // Several shards of one n: exactly the union of those shards, in grid order.
        Assert.Equal(new Shard([1, 4], 6), Shard.Parse("4,1/6"));
        Assert.Equal(all.Where((_, p) => p % 6 is 0 or 3), Shard.Parse("1,4/6").Select(all));
        Assert.Equal("1,4/6", Shard.Parse("4,1/6").ToString());
        foreach (var bad in new[] { "0/4", "5/4", "2", "a/b", "1/0", "1,5/4", "1,/4", ",1/4", "-1/4" }) Assert.Throws<ConfigException>(() => Shard.Parse(bad));
    }

    [Fact]
    public void Shards_merge_into_the_full_run_and_conflicts_are_refused()
    {
        using var data = Synthetic.Dataset(train: 200, test: 100);
        var cfg = new ExperimentConfig { Name = "m", Labels = [100], Seeds = [1, 2], Epochs = 1, BatchSize = 50, SampleCount = 4 }.Validated();
        string dir = Synthetic.TempDir();
        string Run(string name, Shard shard)
        {
            string f = Path.Combine(dir, name);
            new ExperimentRunner(cfg, data, RunOutput.Open(f, cfg), CPU) { Shard = shard }.Run();
            return f;
        }
        string full = Run("full", Shard.All), a = Run("a", new Shard(1, 2)), b = Run("b", new Shard(2, 2));

        var merged = ResultMerger.Merge(Path.Combine(dir, "merged"), [a, b, a]); // a repeated: identical duplicates are fine
        Assert.Equal(Untimed(EpochCsv.Read(Path.Combine(full, "epochs.csv"))), Untimed(EpochCsv.Read(merged.EpochsCsv)));
        Assert.Equal(RunStatusCsv.Read(Path.Combine(full, "runs.csv")), RunStatusCsv.Read(merged.RunsCsv));
        Assert.True(File.Exists(Path.Combine(merged.Folder, "confusion", "baseline-mnist-masked-gan_logit-labels-100-seed-2.csv")));
        Assert.True(File.Exists(Path.Combine(merged.Folder, "models", "baseline-mnist-masked-gan_logit-labels-100-seed-2", "model.json")));

        // A conflicting duplicate: the same run with a different result.
        string c = Path.Combine(dir, "c");
        CopyDir(a, c);
        var rows = EpochCsv.Read(Path.Combine(c, "epochs.csv"));
        EpochCsv.Rewrite(Path.Combine(c, "epochs.csv"), [rows[0] with { TestAccuracy = rows[0].TestAccuracy + 0.01 }, .. rows.Skip(1)]);
        string target = Path.Combine(dir, "merged2");
        var e = Assert.Throws<ConfigException>(() => ResultMerger.Merge(target, [a, c]));
        Assert.Contains("differs", e.Message);
        Assert.False(Directory.Exists(target));

        // Different experiments never merge.
        var other = cfg with { Epochs = 2 };
        string d = Path.Combine(dir, "d");
        new ExperimentRunner(other, data, RunOutput.Open(d, other), CPU) { Shard = new Shard(1, 4) }.Run();
        Assert.Throws<ConfigException>(() => ResultMerger.Merge(Path.Combine(dir, "merged3"), [a, d]));
    }

    static void CopyDir(string from, string to)
    {
        foreach (string f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string dest = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            File.Copy(f, dest);
        }
    }
}
