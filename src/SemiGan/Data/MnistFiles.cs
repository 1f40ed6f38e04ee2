using System.Security.Cryptography;

namespace SemiGan.Data;

/// <summary>The four MNIST IDX files and the SHA-256 of their uncompressed contents.</summary>
public static class MnistFiles
{
    public sealed record Entry(string Name, int Rank, string Sha256);

    public static readonly Entry TrainImages = new("train-images-idx3-ubyte", 3, "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db");
    public static readonly Entry TrainLabels = new("train-labels-idx1-ubyte", 1, "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5");
    public static readonly Entry TestImages = new("t10k-images-idx3-ubyte", 3, "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7");
    public static readonly Entry TestLabels = new("t10k-labels-idx1-ubyte", 1, "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2");

    public static readonly Entry[] All = [TrainImages, TrainLabels, TestImages, TestLabels];

    /// <summary>Default data folder: $SEMIGAN_DATA, else data/mnist under the current directory.</summary>
    public static string DefaultFolder =>
        Environment.GetEnvironmentVariable("SEMIGAN_DATA") is { Length: > 0 } d ? d : Path.Combine("data", "mnist");

    /// <summary>The file for an entry in a folder: the raw name, or the same name with .gz.</summary>
    public static string? Locate(string folder, Entry e)
    {
        string raw = Path.Combine(folder, e.Name);
        if (File.Exists(raw)) return raw;
        string gz = raw + ".gz";
        return File.Exists(gz) ? gz : null;
    }

    public static bool AllPresent(string folder) => All.All(e => Locate(folder, e) is not null);

    /// <summary>Reads and verifies one file; throws <see cref="DataException"/> naming the file, hash and fix.</summary>
    public static IdxArray ReadVerified(string folder, Entry e, bool verify = true)
    {
        string path = Locate(folder, e)
            ?? throw new DataException($"{Path.Combine(folder, e.Name)}: file not found; run 'semigan data fetch --dir {folder}' or pass --data <folder>.");
        byte[] bytes = IdxReader.ReadAllBytes(path);
        if (verify)
        {
            string actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (actual != e.Sha256)
                throw new DataException(
                    $"{path}: SHA-256 {actual} does not match the expected {e.Sha256} (truncated or tampered); delete it and run 'semigan data fetch --dir {folder}'.");
        }
        return IdxReader.Parse(bytes, path, e.Rank);
    }
}
