using System.Diagnostics;
using System.Globalization;
using SemiGan.Config;

namespace SemiGan.Results;

/// <summary>
/// One writer per results folder: `semigan run` holds &lt;folder&gt;/.lock (the process id inside) while it
/// trains, so a second run on the same folder refuses at once instead of appending duplicate rows. A
/// lock whose process no longer runs (killed, crashed) is taken over.
/// </summary>
public sealed class FolderLock : IDisposable
{
    readonly string path;

    FolderLock(string path) => this.path = path;

    public static FolderLock Take(string folder)
    {
        string path = Path.Combine(folder, ".lock");
        for (int attempt = 0; attempt < 2; attempt++)
        {
            try
            {
                using var f = new FileStream(path, FileMode.CreateNew, FileAccess.Write);
                using var w = new StreamWriter(f);
                w.Write(Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                return new FolderLock(path);
            }
            catch (IOException) when (File.Exists(path))
            {
                Check(folder);
                File.Delete(path); // stale: its process is gone
            }
        }
        throw new ConfigException($"{folder}: could not take its lock file {path}; remove it if no run is using the folder.");
    }

    /// <summary>Refuses a folder whose lock is held by a running process, without taking the lock (a check before anything is written).</summary>
    public static void Check(string folder)
    {
        string path = Path.Combine(folder, ".lock");
        if (File.Exists(path) && Holder(path) is { } pid)
            throw new ConfigException($"{folder}: another semigan run (process {pid}) is writing to this folder; wait for it to end, or pass --out with another folder (delete {path} only if no semigan runs).");
    }

    /// <summary>The process id in a lock file if that process still runs, else null.</summary>
    static int? Holder(string path)
    {
        if (!int.TryParse(File.ReadAllText(path).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)) return null;
        try
        {
            using var p = Process.GetProcessById(pid);
            return p.HasExited ? null : pid;
        }
        catch (ArgumentException) { return null; } // no such process
    }

    public void Dispose()
    {
        try { File.Delete(path); } catch (IOException) { }
    }
}
