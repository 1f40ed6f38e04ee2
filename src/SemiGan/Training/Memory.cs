using System.Diagnostics;

namespace SemiGan.Training;

/// <summary>
/// Process memory for the per-epoch log: resident set (native + managed) and the live managed heap. The
/// full collection (once per epoch, a few ms) makes the managed figure mean "live", not "not yet collected".
/// </summary>
public static class Memory
{
    public static long ResidentBytes()
    {
        using var p = Process.GetCurrentProcess();
        return p.WorkingSet64;
    }

    public static string Describe() =>
        $"rss {ResidentBytes() / (1 << 20)} MB, managed {GC.GetTotalMemory(forceFullCollection: true) / 1048576.0:F1} MB";
}
