using System.Diagnostics;
using System.Globalization;

namespace SemiGan.Kernels;

/// <summary>
/// Training processes on one machine split its cores instead of its time slices: two runs at 1 thread each
/// on 2 cores keep about 0.85 of a lone run's speed each, two runs at 2 threads each far less, because each
/// run's threads wait on the other's (docs/running.md). Every process that trains registers a file in a
/// machine-wide folder; every few seconds each one counts the live entries and sets its torch thread count
/// to its share. A process started with a fixed count (--threads, --jobs children, Slurm tasks) registers
/// that count, so the others leave its cores to it, and never changes it.
/// </summary>
public sealed class CoreShare : IDisposable
{
    /// <summary>Overrides the registry folder (tests give each test process its own).</summary>
    public const string FolderVariable = "SEMIGAN_RUNS_DIR";

    /// <summary>How often a sharing run re-counts the others.</summary>
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    /// <summary>One registered process: its id, its start time (to tell a reused pid from the original) and its fixed thread count, if any.</summary>
    public sealed record Entry(int Pid, long StartSecond, int? FixedThreads);

    readonly string folder, path;
    readonly Entry self;
    readonly int cores, before;
    readonly Func<Entry, bool> alive;
    readonly Action<int> setThreads;
    readonly Stopwatch sincePoll = new();
    readonly List<int> used = [];

    /// <summary>The thread count in force now.</summary>
    public int Threads { get; private set; }

    /// <summary>Is the count the share of the cores (re-checked while training), rather than fixed?</summary>
    public bool Shared => self.FixedThreads is null;

    /// <summary>Every thread count this process has trained at, in the order first used.</summary>
    public IReadOnlyList<int> Used => used;

    CoreShare(string folder, Entry self, int cores, Func<Entry, bool> alive, Action<int> setThreads)
    {
        (this.folder, this.self, this.cores, this.alive, this.setThreads) = (folder, self, cores, alive, setThreads);
        before = Threads = cores;
        path = Path.Combine(folder, FileName(self));
    }

    /// <summary>
    /// Registers this process and sets its thread count: <paramref name="fixedThreads"/> when given, else its share of
    /// the cores torch would use alone (libtorch's default count, which honours OMP_NUM_THREADS).
    /// </summary>
    public static CoreShare Join(int? fixedThreads)
    {
        int cores = TorchSharp.torch.get_num_threads();
        return Join(DefaultFolder, Me(fixedThreads), cores, IsAlive, TorchSharp.torch.set_num_threads);
    }

    /// <summary>As <see cref="Join(int?)"/> with every dependency given (tests use a fake registry).</summary>
    public static CoreShare Join(string folder, Entry self, int cores, Func<Entry, bool> alive, Action<int> setThreads)
    {
        Directory.CreateDirectory(folder);
        var share = new CoreShare(folder, self, cores, alive, setThreads);
        string tmp = share.path + ".tmp";
        File.WriteAllText(tmp, self.FixedThreads?.ToString(CultureInfo.InvariantCulture) ?? "shared");
        File.Move(tmp, share.path, overwrite: true);
        share.Apply(share.Shared ? share.Recount() : self.FixedThreads!.Value);
        share.sincePoll.Start();
        return share;
    }

    /// <summary>Between training steps: at most every <see cref="Interval"/>, recounts the live runs and takes this one's share.</summary>
    public void Poll()
    {
        if (!Shared || sincePoll.Elapsed < Interval) return;
        sincePoll.Restart();
        Apply(Recount());
    }

    /// <summary>Forgets the thread counts used so far (a new run starts), keeping the one in force.</summary>
    public void StartRun() { used.Clear(); used.Add(Threads); }

    void Apply(int threads)
    {
        if (threads != Threads) setThreads(threads);
        Threads = threads;
        if (!used.Contains(threads)) used.Add(threads);
    }

    /// <summary>Reads the registry, deletes the entries of processes that have ended, and returns this process's share.</summary>
    int Recount()
    {
        var live = new List<Entry>();
        foreach (string file in SafeFiles())
        {
            if (Parse(Path.GetFileName(file), SafeRead(file)) is not { } e) continue;
            if (e == self || alive(e)) { live.Add(e); continue; }
            try { File.Delete(file); } catch (IOException) { } catch (UnauthorizedAccessException) { } // another run may prune it first
        }
        if (!live.Contains(self)) live.Add(self); // pruned by mistake (a clock jump) or deleted by hand: still here
        return Share(cores, live, self);
    }

    /// <summary>
    /// The threads <paramref name="self"/> gets: the cores the fixed-count runs leave, split evenly between the sharing
    /// runs (oldest first take the remainder, so every core is used), at least 1. A fixed run gets its own count.
    /// </summary>
    public static int Share(int cores, IReadOnlyCollection<Entry> live, Entry self)
    {
        if (self.FixedThreads is { } f) return f;
        int free = cores - live.Sum(e => e.FixedThreads ?? 0);
        var sharing = live.Where(e => e.FixedThreads is null).OrderBy(e => e.StartSecond).ThenBy(e => e.Pid).ToList();
        if (free <= sharing.Count) return 1;
        int rank = sharing.IndexOf(self);
        return free / sharing.Count + (rank < free % sharing.Count ? 1 : 0);
    }

    /// <summary>Removes this process's entry (the others take its cores at their next poll) and restores a shared count to what it was.</summary>
    public void Dispose()
    {
        if (Shared && Threads != before) setThreads(before);
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>The per-user folder in the runtime directory (or the temp folder), unless <see cref="FolderVariable"/> names another.</summary>
    public static string DefaultFolder =>
        Environment.GetEnvironmentVariable(FolderVariable) is { Length: > 0 } d ? d
        : Path.Combine(Environment.GetEnvironmentVariable("XDG_RUNTIME_DIR") is { Length: > 0 } r && Directory.Exists(r) ? r : Path.GetTempPath(),
            $"semigan-runs-{Environment.UserName}");

    static string FileName(Entry e) => $"{e.Pid}-{e.StartSecond}";

    static Entry? Parse(string name, string? content)
    {
        if (name.Split('-') is not [var p, var t] || !int.TryParse(p, CultureInfo.InvariantCulture, out int pid)
            || !long.TryParse(t, CultureInfo.InvariantCulture, out long ticks) || content is null) return null;
        int? threads = content.Trim() == "shared" ? null : int.TryParse(content.Trim(), CultureInfo.InvariantCulture, out int n) && n > 0 ? n : null;
        return new Entry(pid, ticks, threads);
    }

    IEnumerable<string> SafeFiles()
    {
        try { return Directory.GetFiles(folder).Where(f => !f.EndsWith(".tmp", StringComparison.Ordinal)); }
        catch (IOException) { return []; }
        catch (UnauthorizedAccessException) { return []; }
    }

    static string? SafeRead(string file)
    {
        try { return File.ReadAllText(file); }
        catch (IOException) { return null; } // removed between listing and reading
        catch (UnauthorizedAccessException) { return null; }
    }

    /// <summary>This process's entry.</summary>
    public static Entry Me(int? fixedThreads)
    {
        using var me = Process.GetCurrentProcess();
        return new Entry(me.Id, StartSecond(me), fixedThreads);
    }

    static long StartSecond(Process p) => p.StartTime.ToUniversalTime().Ticks / TimeSpan.TicksPerSecond;

    /// <summary>Is the process still running, and the same one (its start time matches, so a reused pid is not)?</summary>
    public static bool IsAlive(Entry e)
    {
        try
        {
            using var p = Process.GetProcessById(e.Pid);
            return !p.HasExited && Math.Abs(StartSecond(p) - e.StartSecond) <= 1;
        }
        catch (ArgumentException) { return false; } // no such process
        catch (InvalidOperationException) { return false; }
        catch (System.ComponentModel.Win32Exception) { return true; } // another user's: cannot tell, so count it
    }
}
