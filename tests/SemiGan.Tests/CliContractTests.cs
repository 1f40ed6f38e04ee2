using System.CommandLine;
using System.Text.RegularExpressions;
using SemiGan.Cli;
using SemiGan.Cli.Commands;
using SemiGan.Config;
using SemiGan.Results;

namespace SemiGan.Tests;

/// <summary>
/// The README's promise for bad input: one line on stderr naming the argument and the fix, no help text,
/// exit 2 for usage errors; an internal error is one line too (exit 70), its trace in a file.
/// </summary>
public class CliContractTests
{
    const string Ok = """{ "name": "ok", "labels": 100, "seeds": [1], "epochs": 1 }""";

    static (string Dir, string Exp) Experiment()
    {
        string dir = Synthetic.TempDir();
        string exp = Path.Combine(dir, "ok.json");
        File.WriteAllText(exp, Ok);
        return (dir, exp);
    }

    /// <summary>One case per kind of parse error; {exp} is a valid experiment file, {dir} its folder.</summary>
    [Theory]
    [InlineData("unknown option", "run {exp} --foo", "'--foo'")]
    [InlineData("unknown option, close to a real one", "run {exp} --epoch 3", "did you mean --epochs?")]
    [InlineData("unknown option where the argument goes", "run --foo", "'--foo'")]
    [InlineData("unknown option of another command", "chart {dir} --epochs 3", "'--epochs'")]
    [InlineData("unknown command", "frob", "'frob'")]
    [InlineData("unknown subcommand", "data frob", "'frob'")]
    [InlineData("no command", "", "no command given")]
    [InlineData("no subcommand", "data", "fetch")]
    [InlineData("missing argument", "run", "<experiment>")]
    [InlineData("missing argument of report", "report", "<results-folder>")]
    [InlineData("missing argument of eval", "eval", "<results-folder>")]
    [InlineData("zero threads for eval", "eval {dir} --threads 0", "--threads")]
    [InlineData("missing argument of merge", "merge --out {dir}/m", "<folders>")]
    [InlineData("missing required option", "merge {dir}", "--out")]
    [InlineData("option without its value", "run {exp} --epochs", "--epochs")]
    [InlineData("option given twice", "run {exp} --epochs 1 --epochs 2", "--epochs")]
    [InlineData("one argument too many", "run {exp} extra.json", "'extra.json'")]
    [InlineData("malformed number", "run {exp} --epochs abc", "--epochs: 'abc' is not a whole number")]
    [InlineData("fractional number", "validate {exp} --epochs 1.5", "--epochs")]
    [InlineData("malformed number of bench", "bench --steps x", "--steps")]
    [InlineData("malformed number of --jobs", "run {exp} --jobs abc", "--jobs")]
    [InlineData("number too large", "run {exp} --epochs 99999999999", "--epochs")]
    [InlineData("seed out of range", "run {exp} --seeds 99999999999", "--seeds")]
    [InlineData("malformed seed", "validate {exp} --seeds 1,x", "--seeds")]
    [InlineData("repeated seed", "run {exp} --seeds 1,1", "--seeds")]
    [InlineData("zero threads", "run {exp} --threads 0", "--threads")]
    [InlineData("zero threads for bench", "bench --threads 0", "--threads")]
    [InlineData("negative repeats", "bench --repeats -1", "--repeats")]
    [InlineData("zero last epochs", "report {dir} --last-epochs 0", "--last-epochs")]
    [InlineData("zero jobs", "run {exp} --jobs 0", "--jobs")]
    [InlineData("bad shard", "run {exp} --shard 3/2", "--shard")]
    [InlineData("--version with more", "--version extra", "--version")]
    [InlineData("--set without '='", "run {exp} --set foo", "--set: 'foo' has no '='")]
    [InlineData("--set without a key", "validate {exp} --set =1", "--set: '=1' has no key")]
    [InlineData("--set with an empty path part", "run {exp} --set methodSettings..dropout=0.1", "--set: 'methodSettings..dropout' has an empty part")]
    [InlineData("--set without its value", "run {exp} --set", "--set")]
    [InlineData("--bench without --dry-run", "run {exp} --bench b.json", "--bench")]
    [InlineData("unknown run id for --restart-run", "run {exp} --restart-run nope", "--restart-run: 'nope' is not a run of experiment 'ok'")]
    [InlineData("unknown run id for --restart-run with --jobs", "run {exp} --jobs 2 --restart-run nope", "--restart-run: 'nope' is not a run of experiment 'ok'")]
    [InlineData("--restart-run without its value", "run {exp} --restart-run", "--restart-run")]
    public void A_parse_error_is_one_line_naming_the_argument_with_exit_2_and_writes_nothing(string kind, string commandLine, string named)
    {
        var (dir, exp) = Experiment();
        string[] args = commandLine.Replace("{exp}", exp).Replace("{dir}", dir).Split(' ', StringSplitOptions.RemoveEmptyEntries);

        var (code, output, err) = CliCapture.Run(args);

        Assert.True(code == 2, $"{kind}: exit {code}, stderr: {err}");
        string line = Assert.Single(err.TrimEnd().Split('\n'));
        Assert.StartsWith("semigan: error: ", line);
        Assert.Contains(named, line);
        Assert.DoesNotContain("Usage:", err + output); // no help dump
        Assert.Equal("", output);
        Assert.Equal(["ok.json"], Directory.GetFileSystemEntries(dir).Select(Path.GetFileName));
    }

    [Fact]
    public void A_malformed_number_says_what_to_give()
    {
        var (_, exp) = Experiment();
        var (_, _, err) = CliCapture.Run("run", exp, "--epochs", "abc");
        Assert.Equal("semigan: error: --epochs: 'abc' is not a whole number; give a positive integer, e.g. --epochs 10", err.Trim());
        (_, _, err) = CliCapture.Run("run", exp, "--seeds", "99999999999");
        Assert.Contains("out of range", err);
        Assert.Contains("e.g. --seeds 1,2,3", err);
    }

    [Fact]
    public void Every_option_of_every_command_has_an_example_for_its_error_message()
    {
        static IEnumerable<Command> All(Command c) => c.Subcommands.SelectMany(All).Prepend(c);
        var options = All(CliApp.Build()).SelectMany(c => c.Options)
            .Where(o => o is not (System.CommandLine.Help.HelpOption or VersionOption) && o.ValueType != typeof(bool))
            .Select(o => o.Name).Distinct().ToList();
        Assert.Contains("--epochs", options);
        Assert.All(options, o => Assert.True(Usage.Examples.ContainsKey(o), $"{o} has no example in Usage.Examples"));
    }

    [Fact]
    public void Help_still_prints_in_full_with_exit_0()
    {
        var (code, output, err) = CliCapture.Run("run", "--help");
        Assert.Equal(0, code);
        Assert.Contains("Usage:", output);
        Assert.Contains("--epochs", output);
        Assert.Equal("", err);
    }

    [Fact]
    public void Help_texts_match_behaviour()
    {
        var (_, runHelp, _) = CliCapture.Run("run", "--help");
        Assert.DoesNotContain("Must not already hold a run", runHelp);
        Assert.Contains("resumed", runHelp);
        var (_, chartHelp, _) = CliCapture.Run("chart", "--help");
        Assert.DoesNotContain("accuracy.png", chartHelp);
        Assert.Contains("accuracy-labels-N.png", chartHelp);
    }

    [Fact]
    public void Version_prints_the_version_and_the_commit_it_was_built_from()
    {
        var (code, output, err) = CliCapture.Run("--version");
        Assert.Equal(0, code);
        Assert.Equal("", err);
        var m = Regex.Match(output.Trim(), @"^semigan (\d+\.\d+\.\d+\S*) \(commit ([0-9a-f]{7,40}|unknown)\)$");
        Assert.True(m.Success, output);
        Assert.Equal(BuildInfo.Commit, m.Groups[2].Value);
        Assert.Equal(RunOutput.GitCommit, BuildInfo.Commit); // the library and the CLI come from the same build
    }

    [Fact]
    public void Merging_conflicting_folders_is_one_line_with_exit_2_and_writes_nothing()
    {
        string dir = Synthetic.TempDir();
        var cfg = new ExperimentConfig { Name = "m", Labels = [100], Seeds = [1], Epochs = 1 }.Validated();
        string Folder(string name, double accuracy, ExperimentConfig c)
        {
            string f = Path.Combine(dir, name);
            Directory.CreateDirectory(f);
            File.WriteAllText(Path.Combine(f, "config.json"), c.ToJson());
            EpochCsv.Rewrite(Path.Combine(f, "epochs.csv"), [new EpochRecord
            {
                Experiment = c.Name, Run = Training.RunSpec.Of(100, "masked", "gan_logit", 1, "baseline", Training.RunSpec.LegacyDataset), Epoch = 1,
                Iterations = 10, ImagesSeen = 1000, LabeledImagesSeen = 100, TestAccuracy = accuracy, TestLoss = 1 - accuracy,
                Losses = Training.LossValues.Of(("supervised", 0.5)), EpochSeconds = 1,
            }]);
            RunStatusCsv.Rewrite(Path.Combine(f, "runs.csv"), []);
            return f;
        }
        string a = Folder("a", 0.9, cfg), b = Folder("b", 0.8, cfg), c = Folder("c", 0.9, cfg with { Epochs = 2 });
        string target = Path.Combine(dir, "merged");

        foreach (var (inputs, says) in new[] { ((string[])[a, b], "differs"), ([a, c], "different experiment") })
        {
            var (code, _, err) = CliCapture.Run(["merge", "--out", target, .. inputs]);
            Assert.Equal(2, code);
            string line = Assert.Single(err.TrimEnd().Split('\n'));
            Assert.Contains(says, line);
            Assert.False(Directory.Exists(target));
        }
    }

    [Fact]
    public void An_internal_error_is_one_line_naming_the_exception_and_the_file_with_its_trace_exit_70()
    {
        var (dir, exp) = Experiment();
        string tmp = Path.Combine(dir, "tmp");
        Directory.CreateDirectory(tmp);
        string? oldTmp = Environment.GetEnvironmentVariable("TMPDIR");
        // An ArgumentException inside a command is a bug, not bad input: exit 70, not 2.
        Errors.Fault = () => throw new ArgumentException("injected fault");
        try
        {
            Environment.SetEnvironmentVariable("TMPDIR", tmp);
            var (code, _, err) = CliCapture.Run("validate", exp);
            Assert.Equal(70, code);
            string line = Assert.Single(err.TrimEnd().Split('\n'));
            Assert.StartsWith("semigan: internal error: System.ArgumentException: injected fault", line);
            string log = Path.Combine(tmp, Errors.LogName);
            Assert.Contains(log, line);
            string trace = File.ReadAllText(log);
            Assert.Contains("injected fault", trace);
            Assert.Contains(" at ", trace); // the stack trace is in the file, not on the console
            Assert.Contains($"semigan validate {exp}", trace);

            // A command that knows its output folder puts the trace there, after any earlier one.
            string outDir = Path.Combine(dir, "out");
            Directory.CreateDirectory(outDir);
            File.WriteAllText(Path.Combine(outDir, Errors.LogName), "earlier\n");
            Errors.Fault = () => { Errors.LogFolder = outDir; throw new InvalidOperationException("second fault"); };
            (code, _, err) = CliCapture.Run("validate", exp);
            Assert.Equal(70, code);
            Assert.Contains(Path.Combine(outDir, Errors.LogName), Assert.Single(err.TrimEnd().Split('\n')));
            string kept = File.ReadAllText(Path.Combine(outDir, Errors.LogName));
            Assert.StartsWith("earlier\n", kept);
            Assert.Contains("second fault", kept);
        }
        finally
        {
            Errors.Fault = null;
            Environment.SetEnvironmentVariable("TMPDIR", oldTmp);
        }
    }
}

/// <summary>run-info.json: one entry per invocation with the commit, start and end times, CPU model and libtorch version.</summary>
public class RunInfoTests
{
    static DateTime Utc(System.Text.Json.Nodes.JsonNode? n)
    {
        string s = (string?)n ?? throw new Xunit.Sdk.XunitException("missing time");
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$", s); // ISO 8601, UTC
        return DateTime.Parse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.RoundtripKind);
    }

    [Fact]
    public void A_run_records_commit_start_and_end_cpu_and_libtorch_and_a_resumed_run_adds_an_entry()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 200, test: 100);
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, """{ "name": "ri", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["baseline"], "batchSize": 50, "sampleCount": 0 }""");
        string outDir = Path.Combine(dir, "out");
        string[] args = ["run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu", "--fast-path", "reference"];

        var before = DateTime.UtcNow;
        var (code, _, err) = CliCapture.Run(args);
        var after = DateTime.UtcNow;
        Assert.True(code == 0, err);

        var info = Assert.Single(RunOutput.ReadRunInfo(Path.Combine(outDir, "run-info.json")));
        Assert.Equal(RunOutput.GitCommit, (string?)info["gitCommit"]);
        Assert.Matches("^([0-9a-f]{7,40}|unknown)$", (string?)info["gitCommit"]);
        var (started, finished) = (Utc(info["startedUtc"]), Utc(info["finishedUtc"]));
        Assert.InRange(started, before, finished);
        Assert.InRange(finished, started, after);
        Assert.Matches(@"^\d+\.\d+", (string?)info["libtorch"]);
        Assert.Equal(TorchSharp.torch.__version__, (string?)info["libtorch"]);
        string cpu = (string?)info["cpu"] ?? "";
        Assert.NotEqual("", cpu.Trim());
        if (OperatingSystem.IsLinux() && File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal)) is { } model)
            Assert.Equal(model.Split(':', 2)[1].Trim(), cpu);

        // Re-running the same command (nothing left to train) adds its own entry and keeps the first as it was.
        Assert.Equal(0, CliCapture.Run(args).Code);
        var both = RunOutput.ReadRunInfo(Path.Combine(outDir, "run-info.json"));
        Assert.Equal(2, both.Count);
        Assert.Equal(info.ToJsonString(), both[0].ToJsonString());
        Assert.True(Utc(both[1]["startedUtc"]) >= finished);
        Assert.NotNull(both[1]["finishedUtc"]);
    }

    [Fact]
    public void The_start_is_on_record_before_the_end_and_the_end_completes_the_same_entry()
    {
        var cfg = new ExperimentConfig { Name = "ri", Labels = [100], Seeds = [1], Epochs = 1 }.Validated();
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "out"), cfg);
        var fastPath = new Training.FastPathChoice(Models.Implementation.Reference, null);
        var started = new DateTime(2026, 1, 2, 3, 4, 5, DateTimeKind.Utc);

        output.WriteRunInfoStart(cfg, TorchSharp.torch.CPU, started, Shard.All, fastPath);
        var open = Assert.Single(RunOutput.ReadRunInfo(output.RunInfoPath));
        Assert.Equal(started, Utc(open["startedUtc"]));
        Assert.Null(open["finishedUtc"]); // a killed invocation stays on record, without an end
        Assert.Null(open["elapsedSeconds"]);
        Assert.False(File.Exists(output.RunInfoPath + ".tmp"));

        output.WriteRunInfo(cfg, TorchSharp.torch.CPU, TimeSpan.FromSeconds(2), Shard.All, fastPath);
        var done = Assert.Single(RunOutput.ReadRunInfo(output.RunInfoPath));
        Assert.Equal(started, Utc(done["startedUtc"]));
        Assert.True(Utc(done["finishedUtc"]) > started);
        Assert.Equal(2.0, (double)done["elapsedSeconds"]!);
    }

    [Fact]
    public void A_corrupt_run_info_is_a_data_error_naming_the_file()
    {
        string path = Path.Combine(Synthetic.TempDir(), "run-info.json");
        File.WriteAllText(path, "{ torn");
        var e = Assert.Throws<Data.DataException>(() => RunOutput.ReadRunInfo(path));
        Assert.Contains(path, e.Message);
    }
}
