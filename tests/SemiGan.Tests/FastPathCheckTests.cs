using SemiGan.Kernels;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

public class FastPathCheckTests
{
    static IEnumerable<FastPathCheck.Subject> Registered => FastPathCheck.Registered(new MethodSettings());

    // The production batch (100) and an odd one, at 1 and 2 threads: every layer of both networks, with the
    // output-channel counts the models use (the generator's 6272, the 16 kernel taps, 32/64/128).
    [Theory]
    [InlineData(1, 100)]
    [InlineData(2, 100)]
    [InlineData(2, 37)]
    public void Fast_and_reference_agree_through_training_steps_of_every_method_and_both_heads(int threads, int batch)
    {
        using var _ = Threads.Use(threads);
        var verdict = FastPathCheck.Run(CPU, batch, [KPlusOneHead.GanLogit, KPlusOneHead.Softmax11], Registered, ImageShape.Default);
        Assert.True(verdict.Agrees, verdict.Describe());
        // Losses, every gradient, parameter and buffer, and eval outputs, for every registered method per head and protocol.
        foreach (var m in MethodRegistry.All)
            foreach (var protocol in new[] { "masked", "streams" })
                Assert.Contains(verdict.Comparisons, c => c.Quantity.StartsWith($"{m.Name} step (gan_logit, {protocol}", StringComparison.Ordinal));
        Assert.Contains(verdict.Comparisons, c => c.Quantity.Contains("generator eval output"));
        Assert.Contains(verdict.Comparisons, c => c.Quantity.Contains("running_var"));
        Assert.Contains(verdict.Comparisons, c => c.Quantity.StartsWith("fm-gan step") && c.Quantity.Contains("feature_matching loss"));
        Assert.Contains(verdict.Comparisons, c => c.Quantity.StartsWith("fm-gan step") && c.Quantity.Contains("generator project.weight gradient"));
    }

    /// <summary>A method the check has never heard of: the supervised step under another name, outside the registry.</summary>
    sealed class Unregistered : IMethod
    {
        public string Name => "not-registered";
        public string DisplayName => Name;
        public MethodRun Start(MethodContext c) => new SupervisedRun(c, DataNeeds.Protocol, noise: false, wholeBatch: true);
    }

    [Fact]
    public void The_check_covers_a_method_without_naming_it()
    {
        var method = new Unregistered();
        var verdict = FastPathCheck.Run(CPU, 20, [KPlusOneHead.GanLogit], [new(method, "mine", new MethodSettings().With(method))], ImageShape.Default);
        Assert.True(verdict.Agrees, verdict.Describe());
        Assert.Contains(verdict.Comparisons, c => c.Quantity.StartsWith("mine step (gan_logit, masked", StringComparison.Ordinal) && c.Quantity.Contains("discriminator conv2.weight gradient"));
        Assert.Contains(verdict.Comparisons, c => c.Quantity.StartsWith("mine step") && c.Quantity.Contains("supervised loss"));
    }

    [Fact]
    public void An_injected_fault_in_a_fast_layer_is_named_by_the_check()
    {
        FaultInjection.Layer = "generator.linear";
        try
        {
            var verdict = FastPathCheck.Run(CPU, 20, [KPlusOneHead.GanLogit], Registered.Where(m => m.Name == "sgan"), ImageShape.Default);
            Assert.False(verdict.Agrees);
            Assert.Contains("DISAGREES", verdict.Describe());
            Assert.Contains("generator", verdict.Worst!.Quantity);
        }
        finally { FaultInjection.Layer = null; }
    }

    [Fact]
    public void The_check_leaves_torch_random_stream_where_it_was()
    {
        random.manual_seed(5);
        using var expected = randn(4);
        random.manual_seed(5);
        FastPathCheck.Run(CPU, 10, [KPlusOneHead.GanLogit], Registered, ImageShape.Default);
        using var actual = randn(4);
        Assert.True(actual.allclose(expected, rtol: 0, atol: 0), "the random stream moved");
    }

    [Fact]
    public void A_disagreement_falls_back_to_the_reference_or_stops_under_require()
    {
        var bad = new FastPathVerdict([new FastPathComparison("sgan: generator eval output", 0.5, 1e-4)], 0.1);
        var lines = new List<string>();
        var choice = FastPathChoice.Make(FastPathMode.Auto, () => bad, lines.Add);
        Assert.Equal(Implementation.Reference, choice.Implementation);
        Assert.Single(lines);
        Assert.Contains("generator eval output", lines[0]);
        Assert.Throws<FastPathMismatchException>(() => FastPathChoice.Make(FastPathMode.Require, () => bad, lines.Add));
        var good = new FastPathVerdict([new FastPathComparison("x", 1e-7, 1e-4)], 0.1);
        Assert.Equal(Implementation.Fast, FastPathChoice.Make(FastPathMode.Require, () => good, lines.Add).Implementation);
        Assert.Equal(Implementation.Reference, FastPathChoice.Make(FastPathMode.Reference, () => throw new InvalidOperationException("not run"), lines.Add).Implementation);
        Assert.False(new FastPathComparison("nan", double.NaN, 1e-4).Agrees);
    }
}

/// <summary>The check as a run uses it: its line in the log, its record in run-info.json, the fallback and --fast-path require.</summary>
public class FastPathRunTests
{
    static (int Code, string Out, string Err) Cli(params string[] args)
    {
        var (o, e) = (Console.Out, Console.Error);
        var (so, se) = (new StringWriter(), new StringWriter());
        Console.SetOut(so); Console.SetError(se);
        try { return (SemiGan.Cli.CliApp.Run(args), so.ToString(), se.ToString()); }
        finally { Console.SetOut(o); Console.SetError(e); }
    }

    static (string Exp, string Data, string Dir) Setup()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 400, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """{ "name": "fp", "labels": 100, "seeds": [1], "epochs": 1, "batchSize": 50, "sampleCount": 0 }""");
        return (exp, data, dir);
    }

    static System.Text.Json.Nodes.JsonNode LastRunInfo(string outDir) => Results.RunOutput.ReadRunInfo(Path.Combine(outDir, "run-info.json"))[^1];

    [Fact]
    public void A_run_logs_the_check_and_records_it_in_run_info()
    {
        var (exp, data, dir) = Setup();
        string outDir = Path.Combine(dir, "out");
        var (code, output, _) = Cli("run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu");
        Assert.Equal(0, code);
        Assert.Single(output.Split('\n'), l => l.StartsWith("fast path check: fast and reference implementations agree", StringComparison.Ordinal));
        var info = LastRunInfo(outDir);
        Assert.Equal("fast", (string?)info["implementation"]);
        Assert.True((bool)info["fastPathCheck"]!["agrees"]!);
        Assert.InRange((double)info["fastPathCheck"]!["largestDifference"]!, 0, 1e-2);
    }

    [Fact]
    public void A_fast_path_fault_makes_the_run_fall_back_to_the_reference_or_stop_under_require()
    {
        var (exp, data, dir) = Setup();
        FaultInjection.Layer = "generator.linear";
        try
        {
            string required = Path.Combine(dir, "required");
            var (code, _, err) = Cli("run", exp, "--out", required, "--data", data, "--no-verify", "--device", "cpu", "--fast-path", "require");
            Assert.Equal(1, code);
            Assert.Single(err.Trim().Split('\n'));
            Assert.Contains("DISAGREES", err);
            Assert.Contains("generator", err);
            Assert.False(Directory.Exists(required), "nothing is written when the check stops the run");

            string fallback = Path.Combine(dir, "fallback");
            (code, var output, _) = Cli("run", exp, "--out", fallback, "--data", data, "--no-verify", "--device", "cpu");
            Assert.Equal(0, code);
            var line = Assert.Single(output.Split('\n'), l => l.StartsWith("fast path check:", StringComparison.Ordinal));
            Assert.Contains("DISAGREES", line);
            Assert.Contains("training on the reference implementation", line);
            var info = LastRunInfo(fallback);
            Assert.Equal("reference", (string?)info["implementation"]);
            Assert.False((bool)info["fastPathCheck"]!["agrees"]!);
            Assert.Equal(2, Results.EpochCsv.Read(Path.Combine(fallback, "epochs.csv")).Count); // sgan and baseline, epoch 1
        }
        finally { FaultInjection.Layer = null; }
    }

    [Fact]
    public void An_unknown_fast_path_mode_is_a_usage_error()
    {
        var (exp, data, dir) = Setup();
        var (code, _, err) = Cli("run", exp, "--out", Path.Combine(dir, "o"), "--data", data, "--no-verify", "--fast-path", "sometimes");
        Assert.Equal(2, code);
        Assert.Contains("--fast-path", err);
    }
}
