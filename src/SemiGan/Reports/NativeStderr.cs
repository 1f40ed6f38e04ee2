using System.Runtime.InteropServices;

namespace SemiGan.Reports;

/// <summary>
/// Runs drawing code with the process's native stderr (fd 2) sent to /dev/null. Skia's SVG backend cannot write a dashed
/// stroke: it draws the line solid and prints "Unsupported path effect in addPaint." to fd 2, once per dashed line, with
/// no newline, into the middle of a run's log. Only native writes during the call are dropped; .NET's Console.Error is
/// flushed first. Elsewhere than Linux and macOS the call runs as it is.
/// </summary>
static class NativeStderr
{
    [DllImport("libc", SetLastError = true)] static extern int dup(int fd);
    [DllImport("libc", SetLastError = true)] static extern int dup2(int from, int to);
    [DllImport("libc", SetLastError = true)] static extern int close(int fd);
    [DllImport("libc", SetLastError = true)] static extern int open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    public static void Silenced(Action draw)
    {
        if (!(OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())) { draw(); return; }
        Console.Error.Flush();
        int saved = dup(2), devNull = open("/dev/null", 1 /* O_WRONLY */);
        if (saved < 0 || devNull < 0 || dup2(devNull, 2) < 0)
        {
            if (saved >= 0) close(saved);
            if (devNull >= 0) close(devNull);
            draw();
            return;
        }
        try { draw(); }
        finally
        {
            dup2(saved, 2);
            close(saved);
            close(devNull);
        }
    }
}
