using SemiGan.Experiments;
using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Cli.Commands;

/// <summary>
/// `semigan run --jobs N`: the grid in N child processes of this same program at once, with the torch
/// threads split between them, then merged into --out. Child k takes a list of the grid's runs
/// (`--shard i,j,…/R`, R = the grid's run count) and writes &lt;out&gt;/shards/k, so re-running the same
/// command resumes every child. The runs are dealt out by estimated cost (<see cref="Assign"/>): a plain
/// split by position (`--shard k/N`) would give every SGAN run to the same child, since the grid
/// alternates SGAN and baseline runs. One process per child, not per run, keeps start-up costs
/// (a few seconds each, with the fast path check) to N.
/// </summary>
public static class Jobs
{
    public static Option<int> Option() => Usage.PositiveInt("--jobs",
        "Run the grid in N child processes at once, splitting --threads (default: all cores) between them, " +
        "then merge them into --out (their folders are kept in <out>/shards/; re-run with the same N to resume).", 1);

    /// <summary>Options the parent sets per child (or that make no sense with --jobs); all others are passed on unchanged.</summary>
    static readonly HashSet<string> Owned = ["--jobs", "--out", "--threads", "--shard"];

    /// <summary>Each child's torch threads: an equal share of the total, at least 1.</summary>
    public static int ThreadsPerChild(int totalThreads, int jobs) => Math.Max(1, totalThreads / jobs);

    /// <summary>The folder of child k (1-based).</summary>
    public static string ShardFolder(string outFolder, int k) => Path.Combine(outFolder, "shards", k.ToString(CultureInfo.InvariantCulture));

    /// <summary>The `run` arguments the user gave, without the ones the parent sets per child.</summary>
    public static List<string> Forwarded(ParseResult r)
    {
        var args = new List<string> { r.CommandResult.Command.Name }; // run, or tune
        foreach (var child in r.CommandResult.Children)
        {
            if (child is ArgumentResult a) args.AddRange(a.Tokens.Select(t => t.Value));
            else if (child is OptionResult o && !o.Implicit && !Owned.Contains(o.Option.Name))
            {
                if (o.Option.Arity.MaximumNumberOfValues > 1) // a repeatable option (--set): its name before each value
                    foreach (var t in o.Tokens) args.AddRange([o.Option.Name, t.Value]);
                else
                {
                    args.Add(o.Option.Name);
                    args.AddRange(o.Tokens.Select(t => t.Value));
                }
            }
        }
        return args;
    }

    /// <summary>Child k's full argument list.</summary>
    public static List<string> ChildArguments(IEnumerable<string> forwarded, int k, Shard shard, string outFolder, int threads) =>
        [.. forwarded, "--shard", shard.ToString(), "--out", ShardFolder(outFolder, k), "--threads", threads.ToString(CultureInfo.InvariantCulture)];

    /// <summary>
    /// Each child's runs, as shards of R = runs.Count (one run each), balanced by estimated cost: longest
    /// first, each to the child with the least work so far (the loads then differ by at most one run's cost).
    /// A run's cost is its method's measured step time (<see cref="StepCosts"/>); the runs of one grid take about the
    /// same number of steps. Dealing SGAN and baseline runs in turn instead left one child of a 14-run sweep with
    /// 25 % more work than the other (153 vs 123 s of epochs).
    /// </summary>
    public static List<Shard> Assign(IReadOnlyList<RunSpec> runs, int jobs, Func<RunSpec, double> cost)
    {
        var load = new double[jobs];
        var parts = Enumerable.Range(0, jobs).Select(_ => new List<int>()).ToList();
        // Stable: by method within a cost (so without measured costs each child gets an even share of every method's runs), then grid order.
        foreach (int i in Enumerable.Range(1, runs.Count).OrderByDescending(i => cost(runs[i - 1])).ThenBy(i => runs[i - 1].Method, StringComparer.Ordinal))
        {
            int k = Array.IndexOf(load, load.Min());
            parts[k].Add(i);
            load[k] += cost(runs[i - 1]);
        }
        return parts.Select(p => new Shard(p, runs.Count)).ToList();
    }

    /// <summary>
    /// Each run's cost: its method's step time in the newest `semigan bench --json` file under results/ (every CNN method's
    /// step is timed there), else 1 for every run (dealt out by count), with a line saying which.
    /// </summary>
    public static Func<RunSpec, double> StepCosts(ExperimentConfig cfg, out string note)
    {
        var ms = DryRun.BenchStepMilliseconds(null, out string? source);
        var known = cfg.Methods.ToDictionary(m => m, m => ms.GetValueOrDefault(cfg.MethodOf(m).Name));
        if (source is not null && known.Values.All(v => v > 0))
        {
            note = $"runs dealt out by the step times in {source}";
            return run => known[run.Method];
        }
        note = $"runs dealt out by count, each method's evenly: no bench file under {DryRun.BenchFolder}/ times every method's step (semigan bench --json {Path.Combine(DryRun.BenchFolder, "bench.json")} writes one)";
        return _ => 1;
    }

    /// <summary>How to start this program again: its own executable, or the dotnet host with semigan.dll (under `dotnet`, tests).</summary>
    public static (string File, List<string> Prefix) Self()
    {
        string? exe = Environment.ProcessPath;
        if (exe is not null && Path.GetFileNameWithoutExtension(exe) == "semigan") return (exe, []);
        string host = exe is not null && Path.GetFileNameWithoutExtension(exe) == "dotnet" ? exe : "dotnet";
        return (host, [typeof(Jobs).Assembly.Location]);
    }

    public static int Run(ParseResult r, int jobs, Func<(ExperimentConfig Config, string Out)> load, Action<ExperimentConfig, string>? merged = null)
    {
        if (jobs < 1) throw new ConfigException($"--jobs: {jobs} must be at least 1.");
        if (r.GetValue<string?>("--shard") is not null)
            throw new ConfigException("--jobs: cannot be combined with --shard; use --shard alone (one shard per machine) or --jobs alone.");
        int? threadsOption = r.GetValue<int?>("--threads");
        if (threadsOption is <= 0) throw new ConfigException($"--threads: {threadsOption} must be positive.");

        // Everything a child would refuse is checked here first, so a bad file or option fails once, before any child starts.
        var (cfg, outFolder) = load();
        ExperimentRunner.RestartRunsOf(cfg, r.GetValue<string[]>("--restart-run") ?? []);
        var runs = cfg.Runs().ToList();
        if (jobs > runs.Count)
        {
            Console.WriteLine($"--jobs {jobs}: the grid has {runs.Count} runs; using {runs.Count} jobs.");
            jobs = runs.Count;
        }
        Errors.LogFolder = outFolder;
        bool resumed = CheckOutFolder(outFolder, jobs);
        var shards = SavedAssignment(outFolder, runs, jobs, StepCosts(cfg, out string costNote), resumed);
        Console.WriteLine(costNote);
        // One fetch before the children start, so they never download into the same folder at once.
        if (!r.GetValue<bool>("--no-verify"))
        {
            var dataset = Datasets.Get(cfg.Dataset);
            Console.WriteLine(DatasetFetcher.EnsurePresent(dataset, r.GetValue<string?>("--data") ?? dataset.DefaultFolder, Console.WriteLine));
        }

        int threads = ThreadsPerChild(threadsOption ?? Environment.ProcessorCount, jobs);
        // A child whose runs have all ended (finished or diverged) is not started again.
        var todo = Enumerable.Range(1, jobs).Where(k => !shards[k - 1].Select(runs).All(run => Ended(outFolder, k, run))).ToList();
        Console.WriteLine($"{cfg.Name}: {runs.Count} runs in {jobs} jobs at {threads} torch thread{(threads == 1 ? "" : "s")} each" +
                          (todo.Count < jobs ? $" ({jobs - todo.Count} already done)" : "") + $"; their folders in {Path.GetFullPath(Path.Combine(outFolder, "shards"))}");
        var forwarded = Forwarded(r);
        int code = RunChildren(todo, jobs, k => ChildArguments(forwarded, k, shards[k - 1], outFolder, threads), threads, outFolder);
        if (code != 0) return code;

        ShardMerge.Into(outFolder, Enumerable.Range(1, jobs).Select(k => ShardFolder(outFolder, k)).ToList());
        Console.WriteLine($"merged {jobs} jobs' folders into {Path.GetFullPath(outFolder)}");
        merged?.Invoke(cfg, outFolder);
        Console.WriteLine($"done: {Path.GetFullPath(outFolder)} (semigan report {outFolder} writes its report)");
        return Errors.Ok;
    }

    /// <summary>
    /// A folder holding a run made without --jobs, or with another N, is refused: its folders would not line
    /// up with this split (and another N means other thread counts, so other results). N is kept in shards/jobs.
    /// </summary>
    static bool CheckOutFolder(string outFolder, int jobs)
    {
        string shardsDir = Path.Combine(outFolder, "shards");
        string countFile = Path.Combine(shardsDir, "jobs");
        if (File.Exists(countFile))
        {
            string was = File.ReadAllText(countFile).Trim();
            if (was != jobs.ToString(CultureInfo.InvariantCulture))
                throw new ConfigException($"{outFolder}: was run with --jobs {was}; re-run with --jobs {was} to resume it, or pass --out with a new folder.");
            return true;
        }
        if (File.Exists(Path.Combine(outFolder, "epochs.csv")))
            throw new ConfigException($"{outFolder}: holds a run made without --jobs; resume it without --jobs, or pass --out with a new folder.");
        Directory.CreateDirectory(shardsDir);
        File.WriteAllText(countFile, jobs.ToString(CultureInfo.InvariantCulture) + Environment.NewLine);
        return false;
    }

    /// <summary>
    /// Each child's runs: those saved in shards/assignment when the folder was started (one line per child,
    /// "i,j,…/R"), so a resume never depends on how this version deals runs out. A new folder gets
    /// <see cref="Assign"/>'s split; a folder started before the file existed, the split it was started with
    /// (<see cref="AssignInTurn"/>). Either is saved.
    /// </summary>
    public static List<Shard> SavedAssignment(string outFolder, IReadOnlyList<RunSpec> runs, int jobs, Func<RunSpec, double> cost, bool resumed)
    {
        string file = Path.Combine(outFolder, "shards", "assignment");
        if (!File.Exists(file))
        {
            var split = resumed ? AssignInTurn(runs, jobs) : Assign(runs, jobs, cost);
            string tmp = file + ".tmp";
            File.WriteAllLines(tmp, split.Select(x => x.ToString()));
            File.Move(tmp, file, overwrite: true);
            return split;
        }
        var lines = File.ReadAllLines(file).Where(l => l.Trim().Length > 0).ToList();
        string fix = "re-run with the experiment and --seeds/--epochs it was started with, or pass --out with a new folder";
        List<Shard> saved;
        try { saved = lines.Select(Shard.Parse).ToList(); }
        catch (ConfigException) { throw new ConfigException($"{file}: unreadable ({string.Join(" | ", lines)}); {fix}."); }
        var covered = saved.SelectMany(x => x.Indices).ToList();
        if (saved.Count != jobs || saved.Any(x => x.Count != runs.Count) || covered.Count != runs.Count || covered.Distinct().Count() != runs.Count)
            throw new ConfigException($"{file}: its {saved.Count} jobs' runs do not split this grid of {runs.Count} runs into {jobs}; {fix}.");
        return saved;
    }

    /// <summary>The split of folders started before shards/assignment existed: GAN runs first, dealt out in turn.</summary>
    public static List<Shard> AssignInTurn(IReadOnlyList<RunSpec> runs, int jobs)
    {
        bool Gan(RunSpec run) => run.Method is "sgan" or "fm-gan" or "sgan-real-bn"; // the GANs of the grids those folders ran
        var order = Enumerable.Range(1, runs.Count).OrderBy(i => Gan(runs[i - 1]) ? 0 : 1).ToList();
        return Enumerable.Range(0, jobs).Select(k => new Shard(order.Where((_, j) => j % jobs == k), runs.Count)).ToList();
    }

    static bool Ended(string outFolder, int k, RunSpec run)
    {
        string runsCsv = Path.Combine(ShardFolder(outFolder, k), "runs.csv");
        return File.Exists(runsCsv) && RunStatusCsv.Read(runsCsv).Any(s => s.Run == run);
    }

    /// <summary>
    /// Starts the children in <paramref name="todo"/>, relays their lines prefixed with [k/N] (each child's full
    /// output also goes to shards/k.log), and waits. The first child to fail stops the others (their checkpoints
    /// keep their work) and its exit code is returned.
    /// </summary>
    static int RunChildren(List<int> todo, int jobs, Func<int, List<string>> argsOf, int threads, string outFolder)
    {
        var (file, prefix) = Self();
        var running = new List<(int K, Process P, StreamWriter Log)>();
        var output = new object();
        // Ctrl-C or SIGTERM to the parent ends the children too: they would otherwise go on unseen.
        void KillAll() { foreach (var c in running) try { if (!c.P.HasExited) c.P.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll());
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll());
        try
        {
            foreach (int k in todo)
            {
                var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in prefix.Concat(argsOf(k))) psi.ArgumentList.Add(a);
                // Each child has a fixed count (--threads), registered so that sharing runs leave it those cores.
                psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
                var log = new StreamWriter(Path.Combine(outFolder, "shards", $"{k}.log"), append: true) { AutoFlush = true };
                var p = new Process { StartInfo = psi };
                string tag = $"[{k}/{jobs}] ";
                p.OutputDataReceived += (_, ev) => { if (ev.Data is { } line) lock (output) { log.WriteLine(line); Console.WriteLine(tag + line); } };
                p.ErrorDataReceived += (_, ev) => { if (ev.Data is { } line) lock (output) { log.WriteLine(line); Console.Error.WriteLine(tag + line); } };
                p.Start();
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                running.Add((k, p, log));
            }
            var pending = running.ToList();
            while (pending.Count > 0)
            {
                var ended = pending.FirstOrDefault(c => c.P.HasExited);
                if (ended.P is null) { Thread.Sleep(100); continue; }
                ended.P.WaitForExit(); // drains the redirected output
                pending.Remove(ended);
                if (ended.P.ExitCode != 0)
                {
                    KillAll();
                    foreach (var c in pending) c.P.WaitForExit();
                    Console.Error.WriteLine($"semigan: error: job {ended.K}/{jobs} exited with code {ended.P.ExitCode} (its output: {Path.Combine(outFolder, "shards", $"{ended.K}.log")}); " +
                                            "the other jobs were stopped. Fix the cause and re-run the same command to resume.");
                    return ended.P.ExitCode;
                }
                lock (output) Console.WriteLine($"[{ended.K}/{jobs}] finished");
            }
            return Errors.Ok;
        }
        finally
        {
            KillAll();
            foreach (var c in running) { c.P.Dispose(); c.Log.Dispose(); }
        }
    }
}
