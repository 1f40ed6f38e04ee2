using System.CommandLine;
using System.CommandLine.Parsing;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Training;

namespace SemiGan.Cli.Commands;

/// <summary>
/// `semigan run --jobs N`: the grid as N shards in N child processes of this same program, with the torch
/// threads split between them, then merged into --out. Child k writes &lt;out&gt;/shards/k, so re-running
/// the same command resumes every shard. One process at 2 threads uses 2 cores poorly on these small
/// networks; two at 1 thread each get more done (see the README).
/// </summary>
public static class Jobs
{
    public static Option<int> Option() => new("--jobs")
    {
        Description = "Run the grid as N shards in N child processes at once, splitting --threads (default: all cores) between them, " +
                      "then merge them into --out (shards kept in <out>/shards/; re-run to resume).",
        DefaultValueFactory = _ => 1,
    };

    /// <summary>Options the parent sets per child (or that make no sense with --jobs); all others are passed on unchanged.</summary>
    static readonly HashSet<string> Owned = ["--jobs", "--out", "--threads", "--shard"];

    /// <summary>Each child's torch threads: an equal share of the total, at least 1.</summary>
    public static int ThreadsPerChild(int totalThreads, int jobs) => Math.Max(1, totalThreads / jobs);

    /// <summary>The shard folder of child k (1-based).</summary>
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

    /// <summary>Child k of n's full argument list.</summary>
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
        int runs = cfg.Runs().Count();
        if (jobs > runs)
        {
            Console.WriteLine($"--jobs {jobs}: the grid has only {runs} runs; using {runs} jobs.");
            jobs = runs;
        }
        string outFolder = r.GetValue<string?>("--out") ?? Path.Combine("results", cfg.Name);
        CheckOutFolder(outFolder, jobs);
        // One fetch before the children start, so they never download into the same folder at once.
        if (!r.GetValue<bool>("--no-verify"))
            Console.WriteLine(MnistFetcher.EnsurePresent(r.GetValue<string?>("--data") ?? MnistFiles.DefaultFolder, Console.WriteLine));

        int threads = ThreadsPerChild(threadsOption ?? Environment.ProcessorCount, jobs);
        Console.WriteLine($"{cfg.Name}: {runs} runs as {jobs} jobs at {threads} torch thread{(threads == 1 ? "" : "s")} each; shards in {Path.GetFullPath(Path.Combine(outFolder, "shards"))}");
        var forwarded = Forwarded(r);
        int code = RunChildren(jobs, k => ChildArguments(forwarded, k, jobs, outFolder, threads), threads, outFolder);
        if (code != 0) return code;

        var shards = Enumerable.Range(1, jobs).Select(k => ShardFolder(outFolder, k)).ToList();
        ShardMerge.Into(outFolder, shards);
        Console.WriteLine($"merged {jobs} shards into {Path.GetFullPath(outFolder)}");
        Console.WriteLine($"done: {Path.GetFullPath(outFolder)} (semigan report {outFolder} writes its report)");
        return Errors.Ok;
    }

    /// <summary>
    /// A folder holding a run made without --jobs, or with another --jobs count, is refused: its shards
    /// would not line up with this split. The count is kept in shards/jobs.
    /// </summary>
    static void CheckOutFolder(string outFolder, int jobs)
    {
        string shardsDir = Path.Combine(outFolder, "shards");
        string countFile = Path.Combine(shardsDir, "jobs");
        if (File.Exists(countFile))
        {
            string was = File.ReadAllText(countFile).Trim();
            if (was != jobs.ToString(CultureInfo.InvariantCulture))
                throw new ConfigException($"{outFolder}: was run with --jobs {was}; re-run with --jobs {was} to resume it, or pass --out with a new folder.");
            return;
        }
        if (File.Exists(Path.Combine(outFolder, "epochs.csv")))
            throw new ConfigException($"{outFolder}: holds a run made without --jobs; resume it without --jobs, or pass --out with a new folder.");
        Directory.CreateDirectory(shardsDir);
        File.WriteAllText(countFile, jobs.ToString(CultureInfo.InvariantCulture) + Environment.NewLine);
    }

    /// <summary>
    /// Starts the children, relays their lines prefixed with [k/n] (each child's full output also goes to
    /// shards/k.log), and waits. The first child to fail stops the others (their checkpoints keep their work)
    /// and its exit code is returned.
    /// </summary>
    static int RunChildren(int jobs, Func<int, List<string>> argsOf, int threads, string outFolder)
    {
        var (file, prefix) = Self();
        var children = new List<(int K, Process P, StreamWriter Log)>();
        var output = new object();
        // Ctrl-C or SIGTERM to the parent ends the children too: they would otherwise go on unseen.
        void KillAll() { foreach (var c in children) try { if (!c.P.HasExited) c.P.Kill(entireProcessTree: true); } catch (InvalidOperationException) { } }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, _ => KillAll());
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, _ => KillAll());
        try
        {
            for (int k = 1; k <= jobs; k++)
            {
                var psi = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in prefix.Concat(argsOf(k))) psi.ArgumentList.Add(a);
                // libtorch's OpenMP threads spin while they wait; next to another process that costs both dearly.
                psi.Environment["OMP_WAIT_POLICY"] = "PASSIVE";
                psi.Environment["OMP_NUM_THREADS"] = threads.ToString(CultureInfo.InvariantCulture);
                var log = new StreamWriter(Path.Combine(outFolder, "shards", $"{k}.log"), append: true) { AutoFlush = true };
                var p = new Process { StartInfo = psi };
                string tag = $"[{k}/{jobs}] ";
                p.OutputDataReceived += (_, ev) => { if (ev.Data is { } line) lock (output) { log.WriteLine(line); Console.WriteLine(tag + line); } };
                p.ErrorDataReceived += (_, ev) => { if (ev.Data is { } line) lock (output) { log.WriteLine(line); Console.Error.WriteLine(tag + line); } };
                p.Start();
                p.BeginOutputReadLine();
                p.BeginErrorReadLine();
                children.Add((k, p, log));
            }
            var pending = children.ToList();
            while (pending.Count > 0)
            {
                var done = pending.FirstOrDefault(c => c.P.HasExited);
                if (done.P is null) { Thread.Sleep(100); continue; }
                done.P.WaitForExit(); // drains the redirected output
                pending.Remove(done);
                if (done.P.ExitCode != 0)
                {
                    KillAll();
                    foreach (var c in pending) c.P.WaitForExit();
                    Console.Error.WriteLine($"semigan: error: job {done.K}/{jobs} exited with code {done.P.ExitCode} (its output: {Path.Combine(outFolder, "shards", $"{done.K}.log")}); " +
                                            "the other jobs were stopped. Fix the cause and re-run the same command to resume.");
                    return done.P.ExitCode;
                }
                lock (output) Console.WriteLine($"[{done.K}/{jobs}] finished");
            }
            return Errors.Ok;
        }
        finally
        {
            KillAll();
            foreach (var c in children) { c.P.Dispose(); c.Log.Dispose(); }
        }
    }
}
