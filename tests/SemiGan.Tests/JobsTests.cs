using SemiGan.Cli;
using SemiGan.Cli.Commands;
using SemiGan.Config;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Tests;

/// <summary>`run --jobs N` (child processes per shard, merged into --out) and `validate`.</summary>
public class JobsTests
{
    // `semigan` in this process, its stderr kept (CliTests' helper).
    static int Run(params string[] args) => CliTests.Run(args);
    static string LastError => CliTests.LastError;

    static string Experiment(string dir, string json = """{ "name": "jobs", "labels": 100, "seeds": [1, 2], "epochs": 2, "methods": ["sgan", "baseline"], "batchSize": 50, "sampleCount": 4 }""")
    {
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, json);
        return exp;
    }

    static List<EpochRecord> Untimed(string folder) => EpochCsv.Read(Path.Combine(folder, "epochs.csv")).Select(r => r.Untimed()).ToList();

    [Theory]
    [InlineData(2, 2, 1)]
    [InlineData(2, 1, 2)]
    [InlineData(8, 3, 2)]
    [InlineData(1, 4, 1)]
    public void Each_child_gets_an_equal_share_of_the_threads_and_at_least_one(int total, int jobs, int expected) =>
        Assert.Equal(expected, Jobs.ThreadsPerChild(total, jobs));

    [Fact]
    public void Children_get_the_users_arguments_with_their_own_shard_folder_and_threads()
    {
        var parsed = CliApp.Build().Parse(["run", "e.json", "--jobs", "2", "--seeds", "1,2", "--out", "res", "--threads", "4", "--no-verify", "--epochs", "3"]);
        Assert.Empty(parsed.Errors);
        var forwarded = Jobs.Forwarded(parsed);
        // --jobs, --out and --threads are the parent's; defaults (--device auto) are left to the child.
        Assert.Equal(["run", "e.json", "--seeds", "1,2", "--no-verify", "--epochs", "3"], forwarded);
        Assert.Equal([.. forwarded, "--shard", "2,3/4", "--out", Path.Combine("res", "shards", "2"), "--threads", "2"],
            Jobs.ChildArguments(forwarded, 2, new Shard([3, 2], 4), "res", 2));
    }

    [Fact]
    public void Every_child_gets_an_even_share_of_the_SGAN_runs_and_of_the_measured_work()
    {
        var runs = new ExperimentConfig { Name = "a", Labels = [100, 1000], Seeds = [1, 2, 3], Epochs = 1 }.Validated().Runs().ToList();
        // Why not --shard k/2: the grid alternates SGAN and baseline, so shard 1/2 is every SGAN run.
        Assert.All(new Shard(1, 2).Select(runs), r => Assert.Equal("sgan", r.Method));
        // Step times as a bench file gives them (sgan 102.3 ms, baseline 18.8 ms, measured here).
        double Cost(RunSpec r) => r.Method == "sgan" ? 102.3 : 18.8;
        foreach (int jobs in new[] { 2, 3, 4, 5 })
        {
            var parts = Jobs.Assign(runs, jobs, Cost).Select(s => s.Select(runs)).ToList();
            Assert.Equal(runs.ToHashSet(), parts.SelectMany(p => p).ToHashSet());
            Assert.Equal(runs.Count, parts.Sum(p => p.Count));
            var sgan = parts.Select(p => p.Count(r => r.Method == "sgan")).ToList();
            Assert.True(sgan.Max() - sgan.Min() <= 1, $"--jobs {jobs}: SGAN runs per child {string.Join(",", sgan)}");
            var load = parts.Select(p => p.Sum(Cost)).ToList();
            Assert.True(load.Max() - load.Min() <= 102.3, $"--jobs {jobs}: work per child {string.Join(",", load)}");
        }

        // sweep-labels at one seed: 7 SGAN + 7 baseline runs. Dealing them in turn gave one child 4 SGAN + 3
        // baseline runs (153 s of epochs) and the other 3 + 4 (123 s); by cost the second takes 6 baselines.
        var sweep = new ExperimentConfig { Name = "s", Labels = [20, 50, 100, 200, 500, 1000, 3000], Seeds = [1], Epochs = 1 }.Validated().Runs().ToList();
        var two = Jobs.Assign(sweep, 2, Cost).Select(s => s.Select(sweep)).ToList();
        Assert.Equal([(4, 1), (3, 6)], two.Select(p => (p.Count(r => r.Method == "sgan"), p.Count(r => r.Method == "baseline"))));
    }

    [Fact]
    public void A_folder_keeps_the_assignment_it_was_started_with()
    {
        var runs = new ExperimentConfig { Name = "a", Labels = [100, 1000], Seeds = [1, 2, 3], Epochs = 1 }.Validated().Runs().ToList();
        Func<RunSpec, double> get = r => r.Method == "sgan" ? 102.3 : 18.8;
        // Why it must be saved: the two ways of dealing differ on this grid.
        Assert.NotEqual(Jobs.Assign(runs, 4, get), Jobs.AssignInTurn(runs, 4));
        string dir = Synthetic.TempDir();
        Directory.CreateDirectory(Path.Combine(dir, "shards"));
        string file = Path.Combine(dir, "shards", "assignment");

        // New folder: Assign's split, saved (and nothing else left behind).
        var fresh = Jobs.SavedAssignment(dir, runs, 4, get, resumed: false);
        Assert.Equal(Jobs.Assign(runs, 4, get), fresh);
        Assert.Equal(fresh.Select(x => x.ToString()), File.ReadAllLines(file));
        Assert.Equal(["assignment"], Directory.GetFiles(Path.Combine(dir, "shards")).Select(Path.GetFileName));

        // Saved: used as it is on resume, whatever this version would deal.
        File.WriteAllLines(file, AsLines(Jobs.AssignInTurn(runs, 4)));
        Assert.Equal(Jobs.AssignInTurn(runs, 4), Jobs.SavedAssignment(dir, runs, 4, get, resumed: true));

        // A folder started before the file existed: the split it was started with, dealt in turn, then saved.
        File.Delete(file);
        Assert.Equal(Jobs.AssignInTurn(runs, 4), Jobs.SavedAssignment(dir, runs, 4, get, resumed: true));
        Assert.Equal(AsLines(Jobs.AssignInTurn(runs, 4)), File.ReadAllLines(file));

        // One that does not split this grid (another --seeds, a lost line, garbage) is refused, naming the file.
        var fewer = runs.Take(8).ToList();
        var e = Assert.Throws<ConfigException>(() => Jobs.SavedAssignment(dir, fewer, 4, get, resumed: true));
        Assert.Contains("do not split this grid of 8 runs", e.Message);
        Assert.Contains(file, e.Message);
        File.WriteAllLines(file, File.ReadAllLines(file).Take(3));
        Assert.Throws<ConfigException>(() => Jobs.SavedAssignment(dir, runs, 4, get, resumed: true));
        File.WriteAllText(file, "torn");
        Assert.Contains("unreadable", Assert.Throws<ConfigException>(() => Jobs.SavedAssignment(dir, runs, 4, get, resumed: true)).Message);
    }

    static IEnumerable<string> AsLines(IEnumerable<Shard> split) => split.Select(x => x.ToString());

    [Fact]
    public void Validate_prints_the_grid_size_and_exits_2_with_one_line_on_a_bad_file()
    {
        string dir = Synthetic.TempDir();
        string good = Experiment(dir);
        Assert.Equal(0, Run("validate", good));
        Assert.Equal(0, Run("validate", good, "--seeds", "1,2,3"));

        string bad = Path.Combine(dir, "bad.json");
        File.WriteAllText(bad, """{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1, "head": "sigmoid" }""");
        Assert.Equal(2, Run("validate", bad));
        Assert.Contains("head", LastError);
        Assert.Single(LastError.Trim().Split('\n'));
        Assert.Equal(2, Run("validate", Path.Combine(dir, "missing.json")));
        Assert.Contains("not found", LastError);
        Assert.Equal(2, Run("validate", good, "--epochs", "0"));
        Assert.Contains("epochs", LastError);
    }

    [Fact]
    public void Bad_jobs_requests_exit_2_before_any_child_starts()
    {
        string dir = Synthetic.TempDir();
        string exp = Experiment(dir);
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(2, Run("run", exp, "--jobs", "0", "--out", outDir));
        Assert.Equal(2, Run("run", exp, "--jobs", "2", "--shard", "1/2", "--out", outDir));
        Assert.Equal(2, Run("run", exp, "--jobs", "2", "--epochs", "0", "--out", outDir));
        Assert.False(Directory.Exists(outDir));

        // A folder of a run made without --jobs, or with another N, would not line up with the children's folders.
        Directory.CreateDirectory(outDir);
        File.WriteAllText(Path.Combine(outDir, "epochs.csv"), "precious");
        Assert.Equal(2, Run("run", exp, "--jobs", "2", "--out", outDir, "--no-verify"));
        Assert.Contains("without --jobs", LastError);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(outDir, "epochs.csv")));

        // Another N splits the grid differently, at other thread counts.
        string other = Path.Combine(dir, "other");
        Directory.CreateDirectory(Path.Combine(other, "shards"));
        File.WriteAllText(Path.Combine(other, "shards", "jobs"), "3\n");
        Assert.Equal(2, Run("run", exp, "--jobs", "2", "--out", other, "--no-verify"));
        Assert.Contains("--jobs 3", LastError);
    }

    [Fact]
    public void A_failing_child_stops_the_run_with_its_exit_code_and_names_it()
    {
        string dir = Synthetic.TempDir();
        string exp = Experiment(dir);
        string outDir = Path.Combine(dir, "out");
        // No data where --data points: each child fails to load it (exit 1).
        int code = Run("run", exp, "--jobs", "2", "--threads", "2", "--out", outDir, "--data", Path.Combine(dir, "nowhere"), "--no-verify", "--device", "cpu");
        Assert.Equal(1, code);
        Assert.Matches(@"job [12]/2 exited with code 1", LastError);
        Assert.False(File.Exists(Path.Combine(outDir, "epochs.csv")));
    }

    [Fact]
    public void Two_jobs_merge_to_exactly_the_rows_of_an_unsharded_run_at_the_same_thread_count_and_resume()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 1000, test: 200);
        string exp = Experiment(dir);
        string[] common = ["--data", data, "--no-verify", "--device", "cpu"];

        // Two children at 1 thread each (2 threads split in 2), against one process at 1 thread.
        string jobs = Path.Combine(dir, "jobs");
        Assert.Equal(0, Run(["run", exp, "--jobs", "2", "--threads", "2", "--out", jobs, .. common]));
        string clean = Path.Combine(dir, "clean");
        using (Threads.Use(1)) Assert.Equal(0, Run(["run", exp, "--threads", "1", "--out", clean, .. common]));

        var expected = Untimed(clean);
        Assert.Equal(8, expected.Count); // 2 methods x 2 seeds x 2 epochs
        Assert.Equal(expected, Untimed(jobs));
        Assert.Equal(RunStatusCsv.Read(Path.Combine(clean, "runs.csv")), RunStatusCsv.Read(Path.Combine(jobs, "runs.csv")));
        // No bench file here, so runs are dealt out by count, each method's evenly: child 1 took seed 1's baseline and SGAN runs.
        Assert.Equal(expected.Where(x => x.Run.Seed == 1), Untimed(Path.Combine(jobs, "shards", "1")));

        // The same command again: every run has ended, so no child starts, and the merge is made again.
        var logs = Enumerable.Range(1, 2).Select(i => new FileInfo(Path.Combine(jobs, "shards", $"{i}.log")).Length).ToList();
        File.Delete(Path.Combine(jobs, "epochs.csv"));
        Assert.Equal(0, Run(["run", exp, "--jobs", "2", "--threads", "2", "--out", jobs, .. common]));
        Assert.Equal(expected, Untimed(jobs));
        Assert.Equal(logs, Enumerable.Range(1, 2).Select(i => new FileInfo(Path.Combine(jobs, "shards", $"{i}.log")).Length));

        // The report covers the merged results once, not the shards again.
        string report = File.ReadAllText(SemiGan.Reports.ReportWriter.Write(jobs));
        Assert.Single(report.Split('\n'), l => l.StartsWith("Results folder:", StringComparison.Ordinal));
    }
}
