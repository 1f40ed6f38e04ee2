using System.Security.Cryptography;

namespace SemiGan.Data;

/// <summary>A dataset's IDX files in a folder: finding them (raw or .gz) and reading them checked against their SHA-256.</summary>
public static class DataFolder
{
    /// <summary>The file in a folder: the raw name, or the same name with .gz.</summary>
    public static string? Locate(string folder, DataFile f)
    {
        string raw = Path.Combine(folder, f.Name);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    public static bool AllPresent(DatasetDescriptor d, string folder) => d.Files.All(f => Locate(folder, f) is not null);

    public static string Sha256(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>
    /// The training labels when their file is already in the folder (verified when <paramref name="verify"/>), for
    /// checks before anything is fetched or loaded; null when it is not there yet, or holds labels outside the
    /// classes (loading the dataset reports that).
    /// </summary>
    public static byte[]? TrainLabelsIfPresent(DatasetDescriptor d, string folder, bool verify)
    {
        if (Locate(folder, d.TrainLabels) is null) return null;
        var labels = ReadVerified(d, folder, d.TrainLabels, verify).Data;
        return labels.Any(b => b >= d.Classes) ? null : labels;
    }

    /// <summary>Reads and verifies one file; throws <see cref="DataException"/> naming the file, hash and fix.</summary>
    public static IdxArray ReadVerified(DatasetDescriptor d, string folder, DataFile f, bool verify = true)
    {
        string fetch = $"'semigan data fetch --dataset {d.Name} --dir {folder}'";
        string path = Locate(folder, f)
            ?? throw new DataException($"{Path.Combine(folder, f.Name)}: file not found; run {fetch} or pass --data <folder>.");
        byte[] bytes = IdxReader.ReadAllBytes(path);
        if (verify)
        {
            string actual = Sha256(bytes);
            if (actual != f.Sha256)
                throw new DataException(
                    $"{path}: SHA-256 {actual} does not match the expected {f.Sha256} for {d.DisplayName} (truncated or tampered); delete it and run {fetch}.");
        }
        return IdxReader.Parse(bytes, path, f.Rank);
    }
}
