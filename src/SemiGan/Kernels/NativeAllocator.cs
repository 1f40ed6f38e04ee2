using System.Runtime.InteropServices;

namespace SemiGan.Kernels;

/// <summary>
/// glibc returns every freed block above its mmap threshold to the kernel and trims the heap top, so a
/// training step that frees and reallocates megabyte-sized activations pays page faults on every step
/// (a tenth of the CPU time here). Raising both thresholds keeps freed memory for reuse; the steady-state
/// footprint is unchanged (the same tensors are allocated every step). No-op outside Linux/glibc.
/// </summary>
public static class NativeAllocator
{
    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;
    const int MmapThreshold = 32 << 20;  // glibc's maximum (HEAP_MAX_SIZE / 2 on 64-bit)
    const int TrimThreshold = 512 << 20;

    static bool applied;

    /// <summary>Applies the thresholds once per process; returns whether glibc accepted them.</summary>
    public static bool KeepFreedMemory()
    {
        if (applied || !OperatingSystem.IsLinux()) return applied;
        try
        {
            applied = mallopt(M_MMAP_THRESHOLD, MmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, TrimThreshold) == 1;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            applied = false; // musl or another libc without mallopt: keep its defaults
        }
        return applied;
    }

    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);
}
