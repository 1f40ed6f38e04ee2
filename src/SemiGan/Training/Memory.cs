using System.Diagnostics;

namespace SemiGan.Training;

/// <summary>Process memory for the per-epoch log: resident set (native + managed) and the managed heap.</summary>
public static class Memory
{
    public static long ResidentBytes()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    public static string Describe() =>
        $"rss {ResidentBytes() / (1 << 20)} MB, managed {GC.GetTotalMemory(false) / (1 << 20)} MB";
}
