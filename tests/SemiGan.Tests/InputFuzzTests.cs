using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Microsoft.FSharp.Core;
using SemiGan.Cli.Commands;
using SemiGan.Data;
using SemiGan.Experiments;
using SemiGan.Results;
using Xunit.Abstractions;
using Fields = System.Collections.Generic.List<(string Key, string Value)>;
using Mutation = System.Func<System.Collections.Generic.List<(string Key, string Value)>, System.Collections.Generic.List<(string Key, string Value)>>;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>
/// A property over every input surface of the CLI, in-process through its entry (<see cref="CliCapture"/>): mutated
/// experiment files, argument vectors, --set expressions, and damaged files of an output folder being resumed. For
/// every case: the exit code is 0, 1 or 2 (never 70, never an exception out of the entry); stderr has at most one
/// line; and unless the exit is 0, no file under the case's folder (its working directory, output and data folders)
/// was written, changed or removed. No case trains more than the two steps a resumed fixture has left: a `run`
/// that is not a dry run always gets data that fails verification, except the resume cases' tiny synthetic set.
/// Fixed seed and count; SEMIGAN_FUZZ_SCALE=k runs k times as many (docs/testing.md).
/// </summary>
public class InputFuzzTests(ITestOutputHelper log)
{
    const ulong Seed = 25;
    /// <summary>SEMIGAN_FUZZ_SCALE=k runs k times each surface's count (the longer run of docs/testing.md).</summary>
    static readonly int Scale = int.TryParse(Environment.GetEnvironmentVariable("SEMIGAN_FUZZ_SCALE"), out int k) && k > 0 ? k : 1;

    /// <summary>One case: the experiment file's bytes, the arguments ({exp}, {out}, {data}, {dir} filled in per case), and for a resume case the damage done to the fixture folder.</summary>
    public sealed record FuzzCase(string Surface, byte[] Experiment, string[] Args, string? DamagedFile = null, Func<byte[], byte[]?>? Damage = null, string DamageName = "")
    {
        public override string ToString()
        {
            string text = Encoding.UTF8.GetString(Experiment);
            return $"{Surface}: semigan {string.Join(" ", Args.Select(a => a.Contains(' ') || a.Length == 0 ? $"'{a}'" : a))}" +
                   (DamagedFile is null ? "" : $"; {DamagedFile}: {DamageName}") +
                   $"; experiment ({Experiment.Length} bytes): {(text.Length > 400 ? text[..400] + "…" : text)}";
        }
    }

    // ---- the property ------------------------------------------------------------------------------------------

    static readonly Lazy<Fixture> Shared = new(Fixture.Make);

    /// <summary>Runs one case in a fresh folder (also the working directory, so relative defaults land inside it) and checks the property; returns the exit code.</summary>
    public static int CheckCase(FuzzCase c)
    {
        var fx = Shared.Value;
        string dir = Synthetic.TempDir(), cwd = Directory.GetCurrentDirectory();
        try
        {
            File.WriteAllBytes(Path.Combine(dir, "exp.json"), c.Experiment);
            if (c.Args.Any(a => a.Contains("{data}"))) CopyDir(fx.Data, Path.Combine(dir, "data"));
            if (c.DamagedFile == Generators.BenchFile)
            {
                byte[]? bench = c.Damage!(Encoding.UTF8.GetBytes(Generators.Bench));
                if (bench is not null) File.WriteAllBytes(Path.Combine(dir, Generators.BenchFile), bench);
            }
            else if (c.DamagedFile is not null)
            {
                CopyDir(fx.Folder, Path.Combine(dir, "out"));
                string target = Path.Combine(dir, "out", c.DamagedFile);
                byte[]? damaged = c.Damage!(File.Exists(target) ? File.ReadAllBytes(target) : []);
                if (damaged is null) File.Delete(target);
                else File.WriteAllBytes(target, damaged);
            }
            string[] args = c.Args.Select(a => a.Replace("{exp}", "exp.json").Replace("{out}", "out").Replace("{data}", "data")
                .Replace("{dir}", ".").Replace("{id}", fx.RunId)).ToArray();
            string before = CheapCheckTests.Tree(dir);
            Directory.SetCurrentDirectory(dir);
            int code;
            string err;
            try { (code, _, err) = CliCapture.Run(args); }
            finally { Directory.SetCurrentDirectory(cwd); }
            var lines = err.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (code is not (0 or 1 or 2)) throw new Xunit.Sdk.XunitException($"exit {code}: {err.Trim()}\n{c}");
            if (lines.Length > 1) throw new Xunit.Sdk.XunitException($"{lines.Length} stderr lines (exit {code}):\n{err}\n{c}");
            if (code != 0 && CheapCheckTests.Tree(dir) is var after && after != before)
                throw new Xunit.Sdk.XunitException($"exit {code} ({err.Trim()}) but the folder changed: {Diff(before, after)}\n{c}");
            return code;
        }
        finally
        {
            Directory.SetCurrentDirectory(cwd);
            try { Directory.Delete(dir, true); } catch (IOException) { }
        }
    }

    static string Diff(string before, string after)
    {
        var b = before.Split('\n').ToHashSet();
        var a = after.Split('\n').ToHashSet();
        static string Name(string line) => line.Split(' ')[0];
        return string.Join("; ", a.Except(b).Select(x => "+" + Name(x)).Concat(b.Except(a).Select(x => "-" + Name(x))).Take(8));
    }

    /// <summary>Checks <paramref name="count"/> cases of a generator with FsCheck at a fixed seed (no parallel runs: the console is captured globally); returns the exit codes seen.</summary>
    static Dictionary<int, int> Run(Gen<FuzzCase> gen, int count)
    {
        var codes = new Dictionary<int, int>();
        var config = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(count * Scale)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(new Rnd(Seed), FSharpOption<int>.None)))
            .WithParallelRunConfig(FSharpOption<ParallelRunConfig>.None).WithQuietOnSuccess(true);
        FsCheck.Check.One(config, Prop.ForAll(Arb.From(gen), (FuzzCase c) =>
        {
            int code = CheckCase(c);
            codes[code] = codes.GetValueOrDefault(code) + 1;
        }));
        return codes;
    }

    void Report(string surface, Dictionary<int, int> codes) =>
        log.WriteLine($"fuzz {surface}: {codes.Values.Sum()} cases, exit codes {string.Join(", ", codes.OrderBy(x => x.Key).Select(x => $"{x.Key}: {x.Value}"))}");

    // Each surface must produce some of each kind of outcome it can, or the generator is not reaching past the parser.
    [Fact]
    public void Mutated_experiment_files_never_crash_and_write_nothing_when_refused()
    {
        var codes = Run(Generators.ExperimentCase, 600);
        Report("experiment files", codes);
        Assert.True(codes.GetValueOrDefault(0) > 0 && codes.GetValueOrDefault(2) > 0, string.Join(", ", codes));
    }

    [Fact]
    public void Mutated_argument_vectors_never_crash_and_write_nothing_when_refused()
    {
        var codes = Run(Generators.ArgvCase, 600);
        Report("argument vectors", codes);
        Assert.True(codes.GetValueOrDefault(0) > 0 && codes.GetValueOrDefault(2) > 0, string.Join(", ", codes));
    }

    [Fact]
    public void Mutated_set_expressions_never_crash_and_write_nothing_when_refused()
    {
        var codes = Run(Generators.SetCase, 400);
        Report("--set", codes);
        Assert.True(codes.GetValueOrDefault(0) > 0 && codes.GetValueOrDefault(2) > 0, string.Join(", ", codes));
    }

    [Fact]
    public void Damaged_files_of_a_resumed_folder_never_crash_and_change_nothing_when_refused()
    {
        var codes = Run(Generators.ResumeCase, 10);
        Report("damaged resume folder", codes);
        Assert.True(codes.GetValueOrDefault(0) > 0 && codes.GetValueOrDefault(1) + codes.GetValueOrDefault(2) > 0, string.Join(", ", codes));
    }

    [Fact]
    public void Damaged_bench_files_never_crash_a_dry_run()
    {
        var codes = Run(Generators.BenchCase, 150);
        Report("bench file", codes);
        Assert.True(codes.GetValueOrDefault(0) > 0 && codes.GetValueOrDefault(2) > 0, string.Join(", ", codes));
    }

    /// <summary>The duplicate key of issue 25, through the same property: exit 70 before duplicate keys were checked.</summary>
    [Fact]
    public void The_duplicate_key_case_passes_the_property()
    {
        byte[] dup = Encoding.UTF8.GetBytes("""{"name": "p", "seeds": [1], "epochs": 1, "labels": 100, "epochs": -1}""");
        Assert.Equal(2, CheckCase(new FuzzCase("experiment", dup, ["validate", "{exp}"])));
        Assert.Equal(2, CheckCase(new FuzzCase("experiment", dup, ["run", "{exp}", "--out", "{out}", "--data", "{data}"])));
    }

    // ---- fixture: a tiny data folder and an output folder stopped after epoch 1 of 2 -------------------------------

    sealed record Fixture(string Data, string Folder, string Experiment, string RunId)
    {
        public const string Json = """{ "name": "rz", "labels": 100, "seeds": [1], "epochs": 2, "methods": ["baseline"], "batchSize": 100 }""";

        public static Fixture Make()
        {
            string root = Synthetic.TempDir();
            string data = Synthetic.WriteFolder(Path.Combine(root, "data"), 200, 20);
            string exp = Path.Combine(root, "exp.json");
            File.WriteAllText(exp, Json);
            var cfg = ValidateCommand.Load(exp, null, null, []);
            using var images = ImageDataset.Load(Datasets.Mnist, data, verify: false);
            string folder = Path.Combine(root, "out");
            var output = RunOutput.Open(folder, cfg);
            // Stopped inside epoch 2, after epoch 1's row and checkpoint, as a kill would leave it.
            Assert.Throws<OperationCanceledException>(() => new ExperimentRunner(cfg, images, output, CPU)
            {
                Progress = p => { if (p.StepsDone > p.StepsTotal / 2) throw new OperationCanceledException("stopped in epoch 2"); },
            }.Run());
            File.WriteAllText(output.RunInfoPath, """
                [ { "experiment": "rz", "startedUtc": "2026-12-07T10:00:00.0000000Z", "finishedUtc": null, "elapsedSeconds": null, "shard": "all",
                    "device": "CPU", "torchThreads": 1, "implementation": "fast", "commandLine": [ "run", "exp.json" ] } ]
                """);
            return new Fixture(data, folder, exp, cfg.Runs().Single().Id);
        }

        /// <summary>The fixture's files, relative to its folder (what a resume case damages).</summary>
        public static string[] Files => Directory.GetFiles(Shared.Value.Folder, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Shared.Value.Folder, f)).Order(StringComparer.Ordinal).ToArray();
    }

    static void CopyDir(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(from)) File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        foreach (string d in Directory.GetDirectories(from)) CopyDir(d, Path.Combine(to, Path.GetFileName(d)));
    }

    // ---- generators --------------------------------------------------------------------------------------------

    /// <summary>The generators of each surface.</summary>
    public static class Generators
    {
        static readonly string[] Deep = [new string('[', 300) + new string(']', 300), new string('{', 1) + string.Concat(Enumerable.Repeat("\"a\":{", 100)) + string.Concat(Enumerable.Repeat("}", 101))];

        /// <summary>JSON values (as text; some are not JSON at all) at and past every bound, of every type.</summary>
        public static readonly string[] Values =
        [
            "0", "-1", "1", "2", "3", "9", "10", "11", "20", "99", "100", "101", "110", "1000", "1001", "59990", "60000", "60001", "400", "401",
            "2147483647", "2147483648", "-2147483648", "-2147483649", "9223372036854775808", "1e308", "1e309", "-1e309", "1e-400", "-0", "0.0",
            "0.5", "0.999", "0.9999999999999999", "1.0", "1.5", "2e-4", "100.0", "1e2", new string('9', 400),
            "true", "false", "null", "NaN", "Infinity", "-Infinity", "\"NaN\"", "\"Infinity\"", "\"1\"",
            "\"\"", "\" \"", "\"x\"", "\"masked\"", "\"streams\"", "\"gan_logit\"", "\"softmax11\"", "\"sgan\"", "\"baseline\"", "\"supervised\"",
            "\"fm-gan\"", "\"mnist\"", "\"fashion-mnist\"", "\"last\"", "\"best-validation\"", "\"linear\"", "\"none\"", "\"real\"", "\"all\"",
            "\"mlp\"", "\"cnn\"", "\"whole-batch\"", "\"labeled-only\"", "\"a/b\"", "\"..\"", "\"\\u0000\"", "\"\\ud800\"", "\"é\"",
            "[]", "[1]", "[1,1]", "[1,2]", "[10,20]", "[100,1000]", "[0]", "[-1]", "[1.5]", "[null]", "[\"1\"]", "[2147483648]",
            "[\"sgan\"]", "[\"baseline\"]", "[\"sgan\",\"sgan\"]", "[\"sgan\",\"baseline\",\"supervised\",\"fm-gan\"]", "[\"masked\",\"streams\"]",
            "[\"gan_logit\",\"softmax11\"]", "[[\"sgan\",\"baseline\"]]", "[[\"sgan\"]]", "[[\"sgan\",\"sgan\"]]", "[[\"x\",\"y\"]]", "[[]]",
            "{}", "{\"sgan\":{}}", "{\"sgan\":null}", "{\"v\":{\"method\":\"sgan\"}}", "{\"sgan\":{\"dropout\":0.1,\"dropout\":0.2}}",
            "{\"a\":1,\"a\":2}", "{\"sgan\":{\"bnStats\":\"real\",\"architecture\":\"mlp\"}}", "{\"sgan\":1}", .. Deep,
        ];

        /// <summary>Keys: every field, every methodSettings option, near misses and nonsense.</summary>
        public static readonly string[] Keys =
        [
            .. SemiGan.Config.ExperimentConfig.FieldNames, "models", "Epochs", "epoch", "labels2", "", " ", "$", "name.x", "\u00e9",
            .. Methods.MethodOptions.Common.Select(o => "methodSettings.sgan." + o), "methodSettings.sgan.bnStats", "methodSettings.baseline.mask",
            "methodSettings.fm-gan.noise", "methodSettings.v.method", "methodSettings.sgan.unknown", "methodSettings.sgan", "methodSettings.x.y.z",
        ];

        /// <summary>A valid experiment, as (key, raw JSON value) pairs, that trains quickly if it ever got that far.</summary>
        static readonly (string Key, string Value)[] Base =
        [
            ("name", "\"fz\""), ("labels", "100"), ("seeds", "[1]"), ("epochs", "1"), ("methods", "[\"sgan\",\"baseline\"]"),
            ("methodSettings", "{\"sgan\":{\"dropout\":0.1}}"), ("batchSize", "100"),
        ];

        static string Render(IEnumerable<(string Key, string Value)> fields) =>
            "{" + string.Join(", ", fields.Select(f => $"{Quote(f.Key)}: {f.Value}")) + "}";

        static string Quote(string key) => System.Text.Json.JsonSerializer.Serialize(key);

        /// <summary>Sets a dotted key (into methodSettings' object text when it has a dot): fields are kept as raw text.</summary>
        static Fields Set(Fields fields, string key, string value)
        {
            var list = fields.ToList();
            int dot = key.IndexOf('.');
            if (dot > 0)
            {
                string head = key[..dot], rest = key[(dot + 1)..];
                // A nested key as its own object text: {"rest-path": value} built from the inside out.
                string nested = rest.Split('.').Reverse().Aggregate(value, (v, k) => $"{{{Quote(k)}: {v}}}");
                int i = list.FindIndex(f => f.Key == head);
                if (i >= 0) list[i] = (head, nested);
                else list.Add((head, nested));
                return list;
            }
            int at = list.FindIndex(f => f.Key == key);
            if (at >= 0) list[at] = (key, value);
            else list.Add((key, value));
            return list;
        }

        static Gen<Mutation> FieldMutation =>
            Gen.Frequency(
                (6, from k in Gen.Elements(Keys) from v in Gen.Elements(Values) select (Mutation)(f => Set(f, k, v))),
                (2, from i in Gen.Choose(0, 20) select (Mutation)(f => f.Count == 0 ? f : f.Where((_, j) => j != i % f.Count).ToList())),
                (2, from i in Gen.Choose(0, 20) from v in Gen.Elements(Values) select (Mutation)(f => f.Count == 0 ? f : [.. f, (f[i % f.Count].Key, v)])), // a key twice
                (1, from i in Gen.Choose(0, 20) select (Mutation)(f => f.Count == 0 ? f : f.Select((x, j) => j == i % f.Count ? (x.Key.ToUpperInvariant(), x.Value) : x).ToList())));

        /// <summary>Byte-level damage: BOM, truncation, stray or invalid UTF-8 bytes, an empty file, UTF-16, a document that is not an object.</summary>
        static Gen<Func<byte[], byte[]>> ByteMutation =>
            Gen.Frequency(
                (10, Gen.Constant<Func<byte[], byte[]>>(b => b)),
                (2, Gen.Constant<Func<byte[], byte[]>>(b => [0xEF, 0xBB, 0xBF, .. b])),
                (2, from p in Gen.Choose(0, 1000) select (Func<byte[], byte[]>)(b => b[..(p % (b.Length + 1))])),
                (2, from p in Gen.Choose(0, 1000) from x in Gen.Elements<byte>(0xFF, 0xFE, 0xC3, 0x80, 0x00, 0xED, (byte)'{', (byte)'"', (byte)',', (byte)'}', (byte)'\\')
                    select (Func<byte[], byte[]>)(b => { int i = p % (b.Length + 1); return [.. b[..i], x, .. b[i..]]; })),
                (1, Gen.Constant<Func<byte[], byte[]>>(_ => [])),
                (1, Gen.Constant<Func<byte[], byte[]>>(b => Encoding.Unicode.GetBytes(Encoding.UTF8.GetString(b)))),
                (1, from v in Gen.Elements(Values) select (Func<byte[], byte[]>)(_ => Encoding.UTF8.GetBytes(v))));

        public static Gen<byte[]> Experiment =>
            from count in Gen.Choose(0, 3)
            from mutations in Gen.ArrayOf(FieldMutation, count)
            from bytes in ByteMutation
            select bytes(Encoding.UTF8.GetBytes(Render(mutations.Aggregate(Base.ToList(), (f, m) => m(f)))));

        /// <summary>Commands that never train: validate, a dry run, and a run whose data fails verification (or that is refused earlier).</summary>
        static readonly string[][] ExperimentCommands =
        [
            ["validate", "{exp}"],
            ["run", "{exp}", "--dry-run", "--out", "{out}"],
            ["run", "{exp}", "--out", "{out}", "--data", "{data}"],
        ];

        public static Gen<FuzzCase> ExperimentCase =>
            from exp in Experiment
            from cmd in Gen.Elements(ExperimentCommands)
            select new FuzzCase("experiment", exp, cmd);

        static readonly string[] BadValues =
        [
            "", " ", "0", "-1", "1", "2", "3", "1.5", "abc", "1,2", "1,1", "2/1", "1/2", "3/2", "0/2", "1,2/3", "1/0", "a/b", "99999999999", "2147483648",
            "-2147483648", "NaN", "1e3", "auto", "cpu", "cuda", "tpu", "require", "reference", "sometimes", "mnist", "fashion-mnist", "x=1", "=", "a..b=1",
            "epochs=3", "methodSettings.sgan.dropout=0.2", "@file", "--epochs", "-", "--", "{dir}", "{out}", "{exp}", "{data}", "nope/x", "/proc/x",
            "{id}", "sgan-mnist-masked-gan_logit-labels-100-seed-1", "\0", "é", new string('x', 300),
        ];

        static readonly string[] RunOptions = ["--seeds", "--epochs", "--set", "--out", "--device", "--threads", "--shard", "--fast-path", "--restart-run", "--bench", "--jobs"];

        /// <summary>
        /// Argument vectors: a command with its argument, then options with good and bad values, repeated, unknown, or
        /// stray tokens. A `run` that is not a dry run keeps its --data (whose files fail verification) and never gets
        /// --no-verify or --jobs (children of this process would start); bench and data fetch, which work on valid
        /// input, appear only with an unknown option.
        /// </summary>
        public static Gen<FuzzCase> ArgvCase =>
            from kind in Gen.Choose(0, 7)
            from count in Gen.Choose(0, 4)
            from options in Gen.ArrayOf(
                Gen.Frequency(
                    (6, from o in Gen.Elements(RunOptions) from v in Gen.Elements(BadValues) select new[] { o, v }),
                    (1, from o in Gen.Elements(RunOptions) select new[] { o }),
                    (1, from t in Gen.Elements("--foo", "-x", "--epoch", "--dry-run", "--no-verify", "--help", "-h", "--version", "extra.json", "--epochs=3", "--", "@x", "")
                        select new[] { t })), count)
            from exp in Gen.Frequency((4, Gen.Constant(Encoding.UTF8.GetBytes(Render(Base)))), (1, Experiment))
            select Argv(kind, options.SelectMany(x => x).ToArray(), exp);

        static FuzzCase Argv(int kind, string[] options, byte[] exp)
        {
            string[] args = kind switch
            {
                0 => ["validate", "{exp}", .. options.Where((_, i) => true)],
                1 => ["run", "{exp}", "--dry-run", .. options],
                2 => ["run", "{exp}", .. options.Where(o => o is not ("--no-verify" or "--jobs" or "--data" or "--dry-run")), "--data", "{data}"],
                3 => ["report", "{dir}", .. options],
                4 => ["chart", "{out}", .. options],
                5 => ["eval", "{out}", .. options.Where(o => o != "--no-verify")],
                6 => ["merge", "{out}", "{dir}", "--out", "m", .. options],
                _ => [.. options, "--unknown-option"],
            };
            return new FuzzCase("argv", exp, args);
        }

        static readonly string[] SetKeys = [.. Keys, "methodSettings", "methodSettings.sgan.dropout.x", "labels.x", "a..b", ".", "x.", "methodSettings.supervised.learningRate"];

        public static Gen<FuzzCase> SetCase =>
            from count in Gen.Choose(1, 3)
            from sets in Gen.ArrayOf(
                Gen.Frequency(
                    (8, from k in Gen.Elements(SetKeys) from v in Gen.Elements([.. Values, "[a,b]", "[sgan,baseline]", "[1,x]", "[", "{", "a=b", "", " 1 "]) select $"{k}={v}"),
                    (1, Gen.Elements("noequals", "=1", "==", "=", "a=", " = "))), count)
            from dry in Gen.Elements(true, false)
            select new FuzzCase("--set", Encoding.UTF8.GetBytes(Render(Base)),
                dry ? ["run", "{exp}", "--dry-run", "--out", "{out}", .. sets.SelectMany(s => new[] { "--set", s })] : ["validate", "{exp}", .. sets.SelectMany(s => new[] { "--set", s })]);

        static readonly string[] CsvCells = ["", "NaN", "Infinity", "-1", "0", "abc", "1e999", "99999999999", "\"", "\"a,b\"", "2", "finished", "diverged", "sgan", "true"];

        /// <summary>Damage to one file of the fixture folder: deleted, emptied, cut, a byte changed or inserted, a CSV cell replaced, a line doubled, a JSON key doubled.</summary>
        static Gen<(string Name, Func<byte[], byte[]?> Damage)> FileDamage =>
            Gen.OneOf(
                Gen.Constant<(string, Func<byte[], byte[]?>)>(("deleted", _ => null)),
                Gen.Constant<(string, Func<byte[], byte[]?>)>(("emptied", _ => [])),
                from p in Gen.Choose(0, 100000) select ($"cut at {p}", (Func<byte[], byte[]?>)(b => b[..(p % (b.Length + 1))])),
                from p in Gen.Choose(0, 100000) from x in Gen.Choose(0, 255)
                select ($"byte {p} set to {x}", (Func<byte[], byte[]?>)(b => { var c = b.ToArray(); if (c.Length > 0) c[p % c.Length] = (byte)x; return c; })),
                from line in Gen.Choose(0, 10) from col in Gen.Choose(0, 40) from v in Gen.Elements(CsvCells)
                select ($"line {line} cell {col} = {v}", (Func<byte[], byte[]?>)(b => ReplaceCell(b, line, col, v))),
                from line in Gen.Choose(0, 10) select ($"line {line} doubled", (Func<byte[], byte[]?>)(b => DoubleLine(b, line))),
                Gen.Constant<(string, Func<byte[], byte[]?>)>(("first JSON key doubled", b => DoubleFirstKey(b))),
                from v in Gen.Elements(Values) select ($"JSON number replaced by {v}", (Func<byte[], byte[]?>)(b => ReplaceFirstNumber(b, v))));

        static byte[] ReplaceCell(byte[] b, int line, int col, string value)
        {
            var lines = Encoding.UTF8.GetString(b).Split('\n');
            int l = line % lines.Length;
            var cells = lines[l].Split(',');
            cells[col % cells.Length] = value;
            lines[l] = string.Join(",", cells);
            return Encoding.UTF8.GetBytes(string.Join("\n", lines));
        }

        static byte[] DoubleLine(byte[] b, int line)
        {
            var lines = Encoding.UTF8.GetString(b).Split('\n').ToList();
            int l = line % lines.Count;
            lines.Insert(l, lines[l]);
            return Encoding.UTF8.GetBytes(string.Join("\n", lines));
        }

        static byte[] DoubleFirstKey(byte[] b)
        {
            string s = Encoding.UTF8.GetString(b);
            var m = System.Text.RegularExpressions.Regex.Match(s, "\"[^\"]+\"\\s*:\\s*[^,{}\\[\\]]+");
            return m.Success ? Encoding.UTF8.GetBytes(s.Insert(m.Index + m.Length, ", " + m.Value)) : b;
        }

        static byte[] ReplaceFirstNumber(byte[] b, string value)
        {
            string s = Encoding.UTF8.GetString(b);
            var m = System.Text.RegularExpressions.Regex.Match(s, ":\\s*-?[0-9][0-9.eE+-]*");
            return m.Success ? Encoding.UTF8.GetBytes(s[..m.Index] + ": " + value + s[(m.Index + m.Length)..]) : b;
        }

        /// <summary>Commands on the damaged fixture: resume it (at most the two steps of its last epoch), a dry run, a restart of its run, report, chart, eval.</summary>
        static readonly string[][] ResumeCommands =
        [
            ["run", "{exp}", "--out", "{out}", "--data", "{data}", "--no-verify", "--fast-path", "reference", "--device", "cpu"],
            ["run", "{exp}", "--out", "{out}", "--data", "{data}", "--no-verify", "--dry-run"],
            ["run", "{exp}", "--out", "{out}", "--data", "{data}", "--no-verify", "--fast-path", "reference", "--device", "cpu", "--restart-run", "{id}"],
            ["report", "{out}"],
            ["chart", "{out}"],
            ["eval", "{out}", "--data", "{data}", "--no-verify", "--device", "cpu"],
        ];

        public const string BenchFile = "bench.json";

        /// <summary>A file of `semigan bench --json`'s shape (figures made up: only the dry run's reading of it is tested).</summary>
        public const string Bench = """
            { "Device": "cpu", "Threads": 1, "BatchSize": 100, "results": [
              { "Name": "sgan method step (streams)", "MedianMs": 100.5, "ImagesPerSecond": 995.0 },
              { "Name": "baseline method step (streams)", "MedianMs": 20.0, "ImagesPerSecond": 5000 },
              { "Name": "evaluation (fast path)", "MedianMs": 50.0, "ImagesPerSecond": 20000.0 } ] }
            """;

        public static Gen<FuzzCase> BenchCase =>
            from damage in Gen.Frequency((1, Gen.Constant<(string Name, Func<byte[], byte[]?> Damage)>(("intact", b => b))), (6, FileDamage))
            select new FuzzCase("bench", Encoding.UTF8.GetBytes(Render(Base)), ["run", "{exp}", "--dry-run", "--out", "{out}", "--bench", BenchFile], BenchFile, damage.Damage, damage.Name);

        public static Gen<FuzzCase> ResumeCase =>
            from file in Gen.Elements(Fixture.Files)
            from damage in FileDamage
            from cmd in Gen.Elements(ResumeCommands)
            select new FuzzCase("resume", Encoding.UTF8.GetBytes(Fixture.Json), cmd, file, damage.Damage, damage.Name);
    }
}
