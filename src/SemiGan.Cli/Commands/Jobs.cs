using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Results;

namespace SemiGan.Cli.Commands;

/// <summary>
/// `semigan run --jobs N`: N runs of the grid at once, each in a child process of this same program
/// (`--shard i/R`, R = the grid's run count, selects exactly run i) with the torch threads split between
/// them, then merged into --out. One run per child keeps the cores busy to the end whatever the runs
/// cost (a fixed split by position would give every SGAN run to the same child, since the grid
/// alternates SGAN and baseline). Run i writes &lt;out&gt;/shards/i, so re-running resumes, with any N.
/// </summary>
public static class Jobs
{
    public static Option<int> Option() => new("--jobs")
    {
        Description = "Run N runs of the grid at once, each in a child process, splitting --threads (default: all cores) between them, " +
                      "then merge them into --out (one folder per run in <out>/shards/; re-run to resume).",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>Options the parent sets per child (or that make no sense with --jobs); all others are passed on unchanged.</summary>
    static readonly HashSet<string> Owned = ["--jobs", "--out", "--threads", "--shard"];

    /// <summary>Each child's torch threads: an equal share of the total, at least 1.</summary>
    public static int ThreadsPerChild(int totalThreads, int jobs) => Math.Max(1, totalThreads / jobs);

    /// <summary>The folder of run k (1-based grid position), which `--shard k/R` selects.</summary>
    public static string ShardFolder(string outFolder, int k) => Path.Combine(outFolder, "shards", k.ToString(CultureInfo.InvariantCulture));

    /// <summary>The `run` arguments the user gave, without the ones the parent sets per child.</summary>
    public static List<string> Forwarded(ParseResult r)
    {
        var args = new List<string> { "run" };
        foreach (var child in r.CommandResult.Children)
        {
            if (child is ArgumentResult a) args.AddRange(a.Tokens.Select(t => t.Value));
            else if (child is OptionResult o && !o.Implicit && !Owned.Contains(o.Option.Name))
            {
                args.Add(o.Option.Name);
                args.AddRange(o.Tokens.Select(t => t.Value));
            }
        }
        return args;
    }

    /// <summary>The full argument list of the child for shard k of n.</summary>
    public static List<string> ChildArguments(IEnumerable<string> forwarded, int k, int n, string outFolder, int threads) =>
        [.. forwarded, "--shard", $"{k}/{n}", "--out", ShardFolder(outFolder, k), "--threads", threads.ToString(CultureInfo.InvariantCulture)];

    /// <summary>How to start this program again: its own executable, or the dotnet host with semigan.dll (under `dotnet`, tests).</summary>
    public static (string File, List<string> Prefix) Self()
    {
        string? exe = Environment.ProcessPath;
        if (exe is not null && Path.GetFileNameWithoutExtension(exe) == "semigan") return (exe, []);
        string host = exe is not null && Path.GetFileNameWithoutExtension(exe) == "dotnet" ? exe : "dotnet";
        return (host, [typeof(Jobs).Assembly.Location]);
    }

    public static int Run(ParseResult r, int jobs)
    {
        if (jobs < 1) throw new ConfigException($"--jobs: {jobs} must be at least 1.");
        if (r.GetValue<string?>("--shard") is not null)
            throw new ConfigException("--jobs: cannot be combined with --shard; use --shard alone (one shard per machine) or --jobs alone.");
        int? threadsOption = r.GetValue<int?>("--threads");
        if (threadsOption is <= 0) throw new ConfigException($"--threads: {threadsOption} must be positive.");

        // Everything a child would refuse is checked here first, so a bad file or option fails once, before any child starts.
        var cfg = ValidateCommand.Load(r.GetValue<string>("experiment")!, r.GetValue<string?>("--seeds"), r.GetValue<int?>("--epochs"));
        var runs = cfg.Runs().ToList();
        string outFolder = r.GetValue<string?>("--out") ?? Path.Combine("results", cfg.Name);
        if (File.Exists(Path.Combine(outFolder, "epochs.csv")) && !Directory.Exists(Path.Combine(outFolder, "shards")))
            throw new ConfigException($"{outFolder}: holds a run made without --jobs; resume it without --jobs, or pass --out with a new folder.");
        // One fetch before the children start, so they never download into the same folder at once.
        if (!r.GetValue<bool>("--no-verify"))
            Console.WriteLine(MnistFetcher.EnsurePresent(r.GetValue<string?>("--data") ?? MnistFiles.DefaultFolder, Console.WriteLine));

        jobs = Math.Min(jobs, runs.Count);
        int threads = ThreadsPerChild(threadsOption ?? Environment.ProcessorCount, jobs);
        // Longest first (an SGAN step costs several baseline steps), so the short runs fill the gaps at the end.
        var todo = Enumerable.Range(1, runs.Count).Where(i => !Ended(outFolder, i, runs[i - 1]))
            .OrderBy(i => runs[i - 1].Model == "sgan" ? 0 : 1).ToList();
        Console.WriteLine($"{cfg.Name}: {runs.Count} runs ({runs.Count - todo.Count} already ended), {jobs} at a time at {threads} torch thread{(threads == 1 ? "" : "s")} each; " +
                          $"one folder per run in {Path.GetFullPath(Path.Combine(outFolder, "shards"))}");
        Directory.CreateDirectory(Path.Combine(outFolder, "shards"));
        var forwarded = Forwarded(r);
        int code = RunPool(todo, jobs, i => ChildArguments(forwarded, i, runs.Count, outFolder, threads), threads, outFolder, runs);
        if (code != 0) return code;

        ShardMerge.Into(outFolder, Enumerable.Range(1, runs.Count).Select(i => ShardFolder(outFolder, i)).ToList());
        Console.WriteLine($"merged {runs.Count} runs into {Path.GetFullPath(outFolder)}");
        Console.WriteLine($"done: {Path.GetFullPath(outFolder)} (semigan report {outFolder} writes its report)");
        return Errors.Ok;
    }

    /// <summary>Run i has ended (finished or diverged) when its folder's runs.csv says so; then no child is started for it.</summary>
    static bool Ended(string outFolder, int i, RunSpec run)
    {
        string runsCsv = Path.Combine(ShardFolder(outFolder, i), "runs.csv");
        return File.Exists(runsCsv) && RunStatusCsv.Read(runsCsv).Any(s => s.RunId == run.Id);
    }

    /// <summary>
    /// Keeps <paramref name="jobs"/> children running until every run in <paramref name="todo"/> is done, relaying
    /// their lines prefixed with [i/R] (each child's full output also goes to shards/i.log). The first child to
    /// fail stops the others (their checkpoints keep their work) and its exit code is returned.
    /// </summary>
    static int RunPool(List<int> todo, int jobs, Func<int, List<string>> argsOf, int threads, string outFolder, List<RunSpec> runs)
    {
        var (file, prefix) = Self();
        var running = new List<(int I, Process P, StreamWriter Log)>();
        var output = new object();
        var queue = new Queue<int>(todo);
        int done = 0;
        // Ctrl-C or SIGTERM to the parent ends the children too: they would otherwise go on unseen.
        void KillAll() { lock (running) foreach (var c in running) try { if (!c.P.HasExited) c.P.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll());
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll());
        void Say(string line) { lock (output) Console.WriteLine(line); }
        void Start(int i)
        {
            var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in prefix.Concat(argsOf(i))) psi.ArgumentList.Add(a);
            // libtorch's OpenMP threads spin while they wait; next to another process that costs both dearly.
            psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
            psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
            var log = new StreamWriter(Path.Combine(outFolder, "shards", $"{i}.log"), append: true) { AutoFlush = true };
            var p = new Process { StartInfo = psi };
            string tag = $"[{i}/{runs.Count}] ";
            p.OutputDataReceived += (_, ev) => { if (ev.Data is { } line) lock (output) { log.WriteLine(line); Console.WriteLine(tag + line); } };
            p.ErrorDataReceived += (_, ev) => { if (ev.Data is { } line) lock (output) { log.WriteLine(line); Console.Error.WriteLine(tag + line); } };
            Say($"{tag}starting {runs[i - 1].Id}");
            p.Start();
            p.BeginOutputReadLine();
            p.BeginErrorReadLine();
            lock (running) running.Add((i, p, log));
        }
        try
        {
            while (queue.Count > 0 || running.Count > 0)
            {
                while (running.Count < jobs && queue.Count > 0) Start(queue.Dequeue());
                var ended = running.FirstOrDefault(c => c.P.HasExited);
                if (ended.P is null) { Thread.Sleep(100); continue; }
                ended.P.WaitForExit(); // drains the redirected output
                lock (running) running.Remove(ended);
                ended.Log.Dispose();
                if (ended.P.ExitCode != 0)
                {
                    KillAll();
                    foreach (var c in running) c.P.WaitForExit();
                    Console.Error.WriteLine($"semigan: error: run {ended.I}/{runs.Count} ({runs[ended.I - 1].Id}) exited with code {ended.P.ExitCode} " +
                                            $"(its output: {Path.Combine(outFolder, "shards", $"{ended.I}.log")}); the other runs were stopped. Fix the cause and re-run the same command to resume.");
                    return ended.P.ExitCode;
                }
                Say($"[{ended.I}/{runs.Count}] finished ({++done} of {todo.Count} done)");
                ended.P.Dispose();
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
