using SemiGan.Cli.Commands;
using SemiGan.Experiments;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>
/// A damaged checkpoint (a truncated or overwritten state file, latest.json unreadable or pointing at a missing
/// folder): the run resumes from the previous intact checkpoint with one warning line, or, with none left, stops
/// with one line naming the run and --restart-run (exit 1) before writing anything; --restart-run then trains it
/// again to exactly the rows of an uninterrupted run. The grid: baseline, seeds 1 and 2, 3 epochs of 4 steps.
/// </summary>
public class CheckpointDamageTests
{
    const string Seed1 = "baseline-mnist-masked-gan_logit-labels-100-seed-1", Seed2 = "baseline-mnist-masked-gan_logit-labels-100-seed-2";

    sealed class Shared
    {
        public readonly string Dir = Synthetic.TempDir(), Exp, Data;
        public readonly List<EpochRecord> Clean;
        public readonly List<RunStatus> CleanStatus;

        public Shared()
        {
            Exp = Path.Combine(Dir, "e.json");
            File.WriteAllText(Exp, """{ "name": "ckpt", "labels": 100, "seeds": [1, 2], "epochs": 3, "methods": ["baseline"], "batchSize": 50, "sampleCount": 0 }""");
            Data = Synthetic.WriteFolder(Path.Combine(Dir, "data"), train: 200, test: 100);
            string clean = Path.Combine(Dir, "clean");
            var (code, _, err) = CliCapture.Run(Args(clean));
            Assert.True(code == 0, err);
            Clean = Untimed(EpochCsv.Read(Path.Combine(clean, "epochs.csv")));
            CleanStatus = RunStatusCsv.Read(Path.Combine(clean, "runs.csv"));
            Assert.Equal(6, Clean.Count);
        }

        public string[] Args(string outDir, params string[] more) =>
            ["run", Exp, "--out", outDir, "--data", Data, "--no-verify", "--device", "cpu", "--fast-path", "reference", .. more];
    }

    static readonly Lazy<Shared> Setup = new(() => new Shared());

    /// <summary>Untimed, in grid order (runs trained as shards append their rows interleaved).</summary>
    static List<EpochRecord> Untimed(IEnumerable<EpochRecord> rows) => rows.Select(r => r.Untimed()).OrderBy(r => r.Run.Seed).ThenBy(r => r.Epoch).ToList();

    /// <summary>
    /// A folder where each seed's run (trained alone, as shard 1/2 and 2/2) crashed at its given step (of 12; 4 per
    /// epoch), or finished when that is 0.
    /// </summary>
    static string Crashed(string name, int seed1Step, int seed2Step)
    {
        var s = Setup.Value;
        string outDir = Path.Combine(Synthetic.TempDir(), name);
        var cfg = ValidateCommand.Load(s.Exp, null, null);
        using var data = Synthetic.Dataset(train: 200, test: 100);
        foreach (var (shard, crashStep) in new[] { (1, seed1Step), (2, seed2Step) })
        {
            int steps = 0;
            var runner = new ExperimentRunner(cfg, data, RunOutput.Open(outDir, cfg), CPU)
            {
                Shard = new Config.Shard(shard, 2),
                FastPath = new FastPathChoice(Implementation.Reference, null),
                Progress = _ => { if (++steps == crashStep) throw new InvalidOperationException("crash"); },
            };
            if (crashStep == 0) runner.Run();
            else Assert.Throws<InvalidOperationException>(() => runner.Run());
        }
        return outDir;
    }

    static string CheckpointsOf(string outDir) => Path.Combine(outDir, "checkpoints", Seed2);

    static void Truncate(string file) { var b = File.ReadAllBytes(file); File.WriteAllBytes(file, b[..(b.Length / 2)]); }

    static void Garbage(string file)
    {
        var b = new byte[new FileInfo(file).Length];
        new Random(7).NextBytes(b);
        File.WriteAllBytes(file, b);
    }

    static void Damage(string kind, string checkpoints, int epoch)
    {
        string folder = Path.Combine(checkpoints, $"epoch-{epoch:D4}");
        switch (kind)
        {
            case "truncated state file": Truncate(Path.Combine(folder, "discriminator.bin")); break;
            case "garbage state file": Garbage(Path.Combine(folder, "discriminator.opt")); break;
            case "latest.json garbage": File.WriteAllText(Path.Combine(checkpoints, "latest.json"), "{ torn"); break;
            case "latest.json garbage, its folder without a manifest":
                File.WriteAllText(Path.Combine(checkpoints, "latest.json"), "{ torn");
                File.Delete(Path.Combine(folder, "checkpoint.json"));
                break;
            case "latest.json points at a missing folder": Directory.Delete(folder, true); break;
            case "without a manifest, truncated state file":
                File.Delete(Path.Combine(folder, "checkpoint.json"));
                Truncate(Path.Combine(folder, "discriminator.bin"));
                break;
            default: throw new ArgumentException(kind);
        }
    }

    static Dictionary<string, byte[]> Tree(string folder) =>
        Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(folder, f), File.ReadAllBytes);

    static string[] LinesOf(string outDir, string runId) =>
        File.ReadAllLines(Path.Combine(outDir, "epochs.csv")).Where(l => l.Contains(runId, StringComparison.Ordinal)).ToArray();

    [Theory]
    [InlineData("truncated state file", "epoch-0001/discriminator.bin is truncated: ")]
    [InlineData("garbage state file", "epoch-0001/discriminator.opt does not match the SHA-256 recorded when it was saved")]
    [InlineData("latest.json garbage, its folder without a manifest", "latest.json is unreadable")]
    [InlineData("latest.json points at a missing folder", "latest.json points at epoch-0001, which is missing")]
    [InlineData("without a manifest, truncated state file", "epoch-0001 cannot be loaded (")]
    public void With_no_intact_checkpoint_left_the_run_stops_naming_it_and_restart_run_trains_it_again(string kind, string reason)
    {
        var s = Setup.Value;
        // Both runs inside epoch 2, seed 2's damaged: its only checkpoint is epoch 1's. Seed 1, first in the grid, would resume fine.
        string outDir = Crashed("one", seed1Step: 6, seed2Step: 6);
        Assert.Equal(["epoch-0001", "latest.json"], Directory.GetFileSystemEntries(CheckpointsOf(outDir)).Select(Path.GetFileName).Order());
        Damage(kind, CheckpointsOf(outDir), epoch: 1);
        byte[] csv = File.ReadAllBytes(Path.Combine(outDir, "epochs.csv"));
        string[] seed1 = LinesOf(outDir, Seed1);
        Assert.Single(seed1);
        var checkpoints = Tree(CheckpointsOf(outDir));

        var (code, _, err) = CliCapture.Run(s.Args(outDir));

        Assert.True(code == 1, $"exit {code}: {err}");
        string line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith($"semigan: error: {Seed2}: cannot resume, its checkpoint in {CheckpointsOf(outDir)} is damaged: ", line);
        Assert.Contains(reason, line);
        Assert.Contains($"--restart-run {Seed2}", line);
        Assert.Equal(seed1, LinesOf(outDir, Seed1)); // seed 1 did not go on first
        Assert.Equal(csv, File.ReadAllBytes(Path.Combine(outDir, "epochs.csv"))); // nothing written for the damaged run either
        Assert.Equal(checkpoints, Tree(CheckpointsOf(outDir)));

        (code, _, err) = CliCapture.Run(s.Args(outDir, "--restart-run", Seed2));
        Assert.True(code == 0, err);
        Assert.Equal(s.Clean, Untimed(EpochCsv.Read(Path.Combine(outDir, "epochs.csv"))));
        Assert.Equal(s.CleanStatus, RunStatusCsv.Read(Path.Combine(outDir, "runs.csv")));
        Assert.Equal(seed1[0], LinesOf(outDir, Seed1)[0]); // seed 1 resumed: its epoch 1 line as it was
        Assert.False(Directory.Exists(CheckpointsOf(outDir)));
    }

    [Theory]
    [InlineData("truncated state file", "epoch-0002/discriminator.bin is truncated: ", 1)]
    [InlineData("garbage state file", "epoch-0002/discriminator.opt does not match the SHA-256", 1)]
    [InlineData("latest.json garbage", "latest.json is unreadable", 2)] // the newest intact folder is the one it pointed at
    [InlineData("latest.json points at a missing folder", "latest.json points at epoch-0002, which is missing", 1)]
    public void A_damaged_checkpoint_falls_back_to_the_previous_intact_one_with_one_warning_line(string kind, string reason, int resumedAfter)
    {
        var s = Setup.Value;
        string outDir = Crashed("two", seed1Step: 6, seed2Step: 10); // seed 2 inside epoch 3: checkpoints of epochs 1 and 2 are kept
        Assert.Equal(["epoch-0001", "epoch-0002", "latest.json"], Directory.GetFileSystemEntries(CheckpointsOf(outDir)).Select(Path.GetFileName).Order());
        Damage(kind, CheckpointsOf(outDir), epoch: 2);
        string[] seed1 = LinesOf(outDir, Seed1);

        var (code, output, err) = CliCapture.Run(s.Args(outDir));

        Assert.True(code == 0, err);
        string warning = Assert.Single(output.Split('\n'), l => l.Contains("warning", StringComparison.Ordinal));
        Assert.StartsWith($"{Seed2}: warning: its newest checkpoint is damaged: ", warning);
        Assert.Contains(reason, warning);
        Assert.Contains($"resuming from the intact one after epoch {resumedAfter}", warning);
        Assert.Contains($"--restart-run {Seed2}", warning);
        Assert.Contains($"{Seed2}: resumed after epoch {resumedAfter}", output);
        Assert.Equal(s.Clean, Untimed(EpochCsv.Read(Path.Combine(outDir, "epochs.csv"))));
        Assert.Equal(s.CleanStatus, RunStatusCsv.Read(Path.Combine(outDir, "runs.csv")));
        Assert.Equal(seed1[0], LinesOf(outDir, Seed1)[0]);
    }

    [Fact]
    public void A_checkpoint_saved_before_manifests_still_resumes()
    {
        var s = Setup.Value;
        string outDir = Crashed("legacy", seed1Step: 0, seed2Step: 6);
        File.Delete(Path.Combine(CheckpointsOf(outDir), "epoch-0001", "checkpoint.json"));

        var (code, output, err) = CliCapture.Run(s.Args(outDir));

        Assert.True(code == 0, err);
        Assert.Contains($"{Seed2}: resumed after epoch 1", output);
        Assert.DoesNotContain("warning", output);
        Assert.Equal(s.Clean, Untimed(EpochCsv.Read(Path.Combine(outDir, "epochs.csv"))));
    }

    [Fact]
    public void Save_keeps_the_newest_checkpoint_and_the_one_before_it()
    {
        var s = Setup.Value;
        string outDir = Crashed("keep", seed1Step: 0, seed2Step: 10);
        string folder = CheckpointsOf(outDir);
        Assert.Equal(2, new Checkpoint(folder).LatestEpoch());
        // A leftover unfinished folder and an older one both go at the next save; epoch 2's stays as the previous.
        Directory.CreateDirectory(Path.Combine(folder, "epoch-0003.tmp"));
        Directory.Move(Path.Combine(folder, "epoch-0001"), Path.Combine(folder, "epoch-0000"));
        var cfg = ValidateCommand.Load(s.Exp, null, null);
        using var data = Synthetic.Dataset(train: 200, test: 100);
        var run = cfg.Runs().Single(r => r.Id == Seed2);
        using var method = cfg.MethodOf(run.Method).Start(new Methods.MethodContext(run, cfg.SettingsOf(run.Method), ImageShape.Of(data.Descriptor), CPU, Implementation.Reference));
        new Checkpoint(folder).Save(new CheckpointMeta(Seed2, 3, 12, 600, 0), method);
        Assert.Equal(["epoch-0002", "epoch-0003", "latest.json"], Directory.GetFileSystemEntries(folder).Select(Path.GetFileName).Order());
        var found = new Checkpoint(folder).Find();
        Assert.Null(found.Problem);
        Assert.Equal(new CheckpointMeta(Seed2, 3, 12, 600, 0), found.Usable!.Meta);
    }

    [Fact]
    public void Restart_run_refuses_a_run_that_has_ended()
    {
        var s = Setup.Value;
        string outDir = Crashed("ended", seed1Step: 0, seed2Step: 6);
        byte[] csv = File.ReadAllBytes(Path.Combine(outDir, "epochs.csv"));

        var (code, output, err) = CliCapture.Run(s.Args(outDir, "--restart-run", Seed1));

        Assert.Equal(2, code);
        string line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith($"semigan: error: --restart-run {Seed1}: that run has already ended (finished)", line);
        Assert.Equal(csv, File.ReadAllBytes(Path.Combine(outDir, "epochs.csv")));
        Assert.True(Directory.Exists(CheckpointsOf(outDir)));
    }
}
