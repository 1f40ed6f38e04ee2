using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Results;

namespace SemiGan.Tests;

/// <summary>
/// `run` refuses what it can check without torch before the self-check, the dataset fetch and any write: one line on
/// stderr, exit 2, nothing on stdout (the self-check's report and "writing to" come only once the run goes ahead),
/// and the folder it was pointed at unchanged.
/// </summary>
public class CheapCheckTests
{
    const string Ok = """{ "name": "ok", "labels": 100, "seeds": [1], "epochs": 1 }""";

    /// <summary>Every file under <paramref name="dir"/> with the SHA-256 of its bytes, as text for a comparison.</summary>
    public static string Tree(string dir) => !Directory.Exists(dir) ? "(none)" : string.Join("\n",
        Directory.GetFileSystemEntries(dir, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(p => Path.GetRelativePath(dir, p) + (File.Exists(p) ? " " + Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p))) : "/")));

    static void AssertRefused(string dir, string[] args, string named)
    {
        string before = Tree(dir);
        var (code, output, err) = CliCapture.Run(args);
        Assert.True(code == 2, $"exit {code}; stdout: {output}; stderr: {err}");
        string line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("semigan: error: ", line);
        Assert.Contains(named, line);
        Assert.Equal("", output);
        Assert.Equal(before, Tree(dir));
    }

    static (string Dir, string Exp) Setup(string json = Ok)
    {
        string dir = Synthetic.TempDir(), exp = Path.Combine(dir, "exp.json");
        File.WriteAllText(exp, json);
        return (dir, exp);
    }

    [Fact]
    public void An_output_path_under_a_file_is_refused_first()
    {
        var (dir, exp) = Setup();
        File.WriteAllText(Path.Combine(dir, "afile"), "x");
        AssertRefused(dir, ["run", exp, "--out", Path.Combine(dir, "afile", "x")], "is a file, so no folder can be made under it");
        AssertRefused(dir, ["run", exp, "--out", Path.Combine(dir, "afile")], "afile: is a file, not a folder");
    }

    [SkippableFact]
    public void An_output_folder_that_cannot_be_written_is_refused_first()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "/proc refuses new files on Linux (tests run as root here, so file modes would not)");
        var (dir, exp) = Setup();
        AssertRefused(dir, ["run", exp, "--out", "/proc/semigan-test-out"], "output folder is not writable");
    }

    [Fact]
    public void A_folder_locked_by_a_running_process_is_refused_first()
    {
        var (dir, exp) = Setup();
        string outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, ".lock"), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture)); // this test host: alive
        AssertRefused(dir, ["run", exp, "--out", outDir], $"another semigan run (process {Environment.ProcessId})");
    }

    [Fact]
    public void A_folder_holding_another_experiment_is_refused_first()
    {
        var (dir, exp) = Setup();
        string outDir = Path.Combine(dir, "out"), other = Path.Combine(dir, "other.json");
        File.WriteAllText(other, """{ "name": "ok", "labels": 100, "seeds": [2], "epochs": 1 }""");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "config.json"), ExperimentConfig.Load(other).ToJson());
        AssertRefused(dir, ["run", exp, "--out", outDir], "already holds a run of a different configuration");
    }

    [Fact]
    public void An_infeasible_split_is_refused_from_the_label_file_before_torch()
    {
        // 100 labels of 10 classes in the first 100 images (trainLimit), but class 0 only appears after them.
        var (dir, exp) = Setup("""{ "name": "split", "labels": 100, "seeds": [1], "epochs": 1, "trainLimit": 100 }""");
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), 200, 20);
        File.WriteAllBytes(Path.Combine(data, Datasets.Mnist.TrainLabels.Name),
            Synthetic.Idx(Enumerable.Range(0, 200).Select(i => (byte)(i < 190 ? 1 + i % 9 : 0)).ToArray(), 200));
        AssertRefused(dir, ["run", exp, "--out", Path.Combine(dir, "out"), "--data", data, "--no-verify"], "labels: 100 needs 10 images of class 0, the training set has 0");
    }

    [Fact]
    public void Bf16_on_a_cpu_without_it_is_refused_first_and_offered_where_it_is()
    {
        const string bf16 = """{ "name": "b", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["supervised"], "methodSettings": { "supervised": { "precision": "bf16" } } }""";
        var (dir, exp) = Setup(bf16);
        Models.Autocast.CpuHasBf16Override = false;
        try { AssertRefused(dir, ["run", exp, "--out", Path.Combine(dir, "out")], "methodSettings.supervised.precision: bf16 needs a CPU with AVX512-BF16 or AMX"); }
        finally { Models.Autocast.CpuHasBf16Override = null; }
        // Where the CPU has it, the same file passes the cheap checks (and fails later, on the missing data, not on bf16).
        Models.Autocast.CpuHasBf16Override = true;
        try
        {
            var (code, _, err) = CliCapture.Run(["run", exp, "--out", Path.Combine(dir, "out"), "--data", Path.Combine(dir, "nodata"), "--no-verify"]);
            Assert.DoesNotContain("bf16 needs", err);
        }
        finally { Models.Autocast.CpuHasBf16Override = null; }
    }

    [Fact]
    public void Restarting_a_run_that_has_ended_is_refused_first()
    {
        var (dir, exp) = Setup();
        var cfg = ExperimentConfig.Load(exp);
        var run = cfg.Runs().First();
        string outDir = Path.Combine(dir, "out");
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "config.json"), cfg.ToJson());
        RunStatusCsv.Rewrite(Path.Combine(outDir, "runs.csv"), [new RunStatus
        {
            RunId = run.Id, Run = run, Status = RunStatus.Finished, Epoch = 1,
        }]);
        AssertRefused(dir, ["run", exp, "--out", outDir, "--restart-run", run.Id], $"--restart-run {run.Id}: that run has already ended (finished)");
        AssertRefused(dir, ["run", exp, "--out", outDir, "--restart-run", "nope"], "--restart-run: 'nope' is not a run");
    }

    [Theory]
    [InlineData("--device", "tpu", "--device: 'tpu' is not one of auto, cpu, cuda")]
    [InlineData("--fast-path", "sometimes", "--fast-path: 'sometimes' is not one of")]
    [InlineData("--threads", "0", "--threads")]
    public void A_bad_option_value_is_refused_before_torch(string option, string value, string named)
    {
        var (dir, exp) = Setup();
        AssertRefused(dir, ["run", exp, "--out", Path.Combine(dir, "out"), option, value], named);
    }
}
