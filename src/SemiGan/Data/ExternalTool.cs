using System.ComponentModel;
using System.Diagnostics;

namespace SemiGan.Data;

/// <summary>Runs a package client to completion; a missing tool or a non-zero exit becomes a one-line <see cref="DataException"/>.</summary>
static class ExternalTool
{
    public static void Run(string exe, IEnumerable<string> args, string workDir, string notInstalled, Func<string, string> failed)
    {
        var psi = new ProcessStartInfo(exe)
        {
            WorkingDirectory = workDir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in args) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (Win32Exception) { throw new DataException(notInstalled); }
        using (p)
        {
            var stderr = p.StandardError.ReadToEndAsync();
            p.StandardOutput.ReadToEnd();
            p.WaitForExit();
            if (p.ExitCode != 0)
            {
                // The tool's last error line says why (e.g. apt's "E: Unable to locate package ...").
                string why = stderr.Result.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
                    .LastOrDefault() ?? $"exit code {p.ExitCode}";
                throw new DataException(failed(why));
            }
        }
    }
}
