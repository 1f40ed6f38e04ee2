using SemiGan.Kernels;
using E = SemiGan.Kernels.CoreShare.Entry;

namespace SemiGan.Tests;

/// <summary>The share arithmetic and the registry, on a fake registry folder with a fake liveness check.</summary>
public class CoreShareTests : IDisposable
{
    readonly string folder = Path.Combine(Path.GetTempPath(), $"semigan-share-test-{Guid.NewGuid():N}");
    readonly HashSet<int> dead = [];
    readonly List<(int Pid, int Threads)> set = [];

    public void Dispose() { if (Directory.Exists(folder)) Directory.Delete(folder, true); }

    CoreShare Join(int pid, long start, int cores, int? fixedThreads = null) =>
        CoreShare.Join(folder, new E(pid, start, fixedThreads), cores, e => !dead.Contains(e.Pid), n => set.Add((pid, n)));

    [Theory]
    // cores, sharing runs, fixed counts of the others, this run's rank among the sharers (oldest first) -> its threads
    [InlineData(2, 1, new int[0], 0, 2)]
    [InlineData(2, 2, new int[0], 0, 1)]
    [InlineData(2, 2, new int[0], 1, 1)]
    [InlineData(2, 3, new int[0], 2, 1)] // at least 1
    [InlineData(8, 3, new int[0], 0, 3)] // 8 = 3 + 3 + 2: the oldest take the remainder
    [InlineData(8, 3, new int[0], 1, 3)]
    [InlineData(8, 3, new int[0], 2, 2)]
    [InlineData(8, 1, new[] { 2, 3 }, 0, 3)] // fixed-count runs keep their cores
    [InlineData(4, 2, new[] { 4 }, 1, 1)]    // none left: still 1
    public void Share_splits_the_cores_left_by_fixed_runs_between_the_sharing_ones(int cores, int sharing, int[] fixedCounts, int rank, int expected)
    {
        var live = Enumerable.Range(0, sharing).Select(i => new E(100 + i, 1000 + i, null))
            .Concat(fixedCounts.Select((f, i) => new E(200 + i, 500 + i, f))).ToList();
        Assert.Equal(expected, CoreShare.Share(cores, live, live[rank]));
        Assert.Equal(cores - fixedCounts.Sum() >= sharing ? cores - fixedCounts.Sum() : sharing,
            live.Take(sharing).Sum(e => CoreShare.Share(cores, live, e))); // every free core is used, none twice
    }

    [Fact]
    public void A_fixed_run_keeps_its_count_whatever_else_runs()
    {
        var live = new List<E> { new(1, 1, null), new(2, 2, null), new(3, 3, 5) };
        Assert.Equal(5, CoreShare.Share(2, live, live[2]));
    }

    [Fact]
    public void Runs_that_join_and_leave_change_each_others_share_at_their_next_poll()
    {
        using var a = Join(1, 10, cores: 2);
        Assert.Equal(2, a.Threads);
        var b = Join(2, 11, cores: 2);
        Assert.Equal(1, b.Threads);
        Assert.Equal(2, a.Threads); // not before its next poll
        Thread.Sleep(CoreShare.Interval + TimeSpan.FromMilliseconds(100));
        a.Poll();
        Assert.Equal(1, a.Threads);
        b.Dispose(); // its entry goes
        Thread.Sleep(CoreShare.Interval + TimeSpan.FromMilliseconds(100));
        a.Poll();
        Assert.Equal(2, a.Threads);
        Assert.Equal([2, 1], a.Used);
        Assert.Equal([(1, 1), (1, 2)], set.Where(s => s.Pid == 1)); // torch's count was set only when it changed
    }

    [Fact]
    public void Entries_of_ended_processes_are_pruned_and_no_longer_count()
    {
        using var old = Join(7, 5, cores: 4);
        using var fixedRun = Join(8, 6, cores: 4, fixedThreads: 3);
        dead.Add(7); dead.Add(8); // both ended without removing their entries (killed)
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "not-an-entry"), "x"); // foreign files are ignored, not deleted
        using var fresh = Join(9, 20, cores: 4);
        Assert.Equal(4, fresh.Threads);
        Assert.Equal(["9-20", "not-an-entry"], Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void A_process_is_alive_only_while_it_runs_and_only_with_its_own_start_time()
    {
        var me = CoreShare.Me(null);
        Assert.True(CoreShare.IsAlive(me));
        Assert.False(CoreShare.IsAlive(me with { StartSecond = me.StartSecond - 3600 })); // a reused pid
        // A child that lives long enough for its start time to be read, then is ended.
        using var child = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("sleep", "30") { UseShellExecute = false })!;
        var entry = new E(child.Id, child.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond, null);
        Assert.True(CoreShare.IsAlive(entry));
        child.Kill();
        child.WaitForExit();
        Assert.False(CoreShare.IsAlive(entry));
    }

    [Fact]
    public void Dispose_removes_the_entry_and_restores_the_thread_count()
    {
        var a = Join(1, 1, cores: 2);
        var b = Join(2, 2, cores: 2);
        Assert.Equal(1, b.Threads);
        b.Dispose();
        Assert.Equal((2, 2), set[^1]); // restored to the count it found
        Assert.Single(Directory.GetFiles(folder));
        a.Dispose();
        Assert.Empty(Directory.GetFiles(folder));
    }
}
