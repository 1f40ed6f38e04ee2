using System.IO.Compression;
using SemiGan.Data;

namespace SemiGan.Tests;

/// <summary>Tiny generated IDX files and a learnable synthetic "digit" dataset for fast tests.</summary>
public static class Synthetic
{
    public static byte[] Idx(byte[] data, params int[] dims)
    {
        var bytes = new List<byte> { 0, 0, 0x08, (byte)dims.Length };
        foreach (int d in dims) bytes.AddRange([(byte)(d >> 24), (byte)(d >> 16), (byte)(d >> 8), (byte)d]);
        bytes.AddRange(data);
        return bytes.ToArray();
    }

    public static byte[] Gzip(byte[] raw)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest)) gz.Write(raw);
        return ms.ToArray();
    }

    /// <summary>
    /// n 28x28 images whose class c (n/10 each, interleaved) is a bright 6x6 block at a class-specific
    /// position plus noise: easy to learn, impossible to guess.
    /// </summary>
    public static (byte[] Images, byte[] Labels) Digits(int n, int seed)
    {
        var rng = new Random(seed);
        var images = new byte[n * 784];
        var labels = new byte[n];
        for (int i = 0; i < n; i++)
        {
            int c = i % 10;
            labels[i] = (byte)c;
            int r0 = 2 + (c / 5) * 14 + rng.Next(3), c0 = 1 + (c % 5) * 5 + rng.Next(2);
            for (int p = 0; p < 784; p++) images[i * 784 + p] = (byte)rng.Next(40);
            for (int r = r0; r < Math.Min(28, r0 + 6); r++)
                for (int col = c0; col < Math.Min(28, c0 + 6); col++)
                    images[i * 784 + r * 28 + col] = (byte)(200 + rng.Next(56));
        }
        return (images, labels);
    }

    /// <summary>
    /// The four raw IDX files of a synthetic dataset with the descriptor's names and shape: the learnable
    /// <see cref="Digits"/> when its images are 28x28, else noise images labelled i % classes.
    /// </summary>
    public static Dictionary<DataFile, byte[]> Files(DatasetDescriptor d, int train, int test, int seed = 1)
    {
        var (ti, tl) = Images(d, train, seed);
        var (si, sl) = Images(d, test, seed + 1000);
        return new()
        {
            [d.TrainImages] = Idx(ti, [train, .. d.ImageDims]),
            [d.TrainLabels] = Idx(tl, train),
            [d.TestImages] = Idx(si, [test, .. d.ImageDims]),
            [d.TestLabels] = Idx(sl, test),
        };
    }

    static (byte[] Images, byte[] Labels) Images(DatasetDescriptor d, int n, int seed)
    {
        if (d.ImageDims.SequenceEqual([28, 28])) return Digits(n, seed);
        var rng = new Random(seed);
        var images = new byte[n * d.ImageDims.Aggregate(1, (a, b) => a * b)];
        rng.NextBytes(images);
        return (images, Enumerable.Range(0, n).Select(i => (byte)(i % d.Classes)).ToArray());
    }

    /// <summary>Writes a synthetic folder (train and test) with the descriptor's file names (default MNIST) and returns its path.</summary>
    public static string WriteFolder(string root, int train, int test, int seed = 1, DatasetDescriptor? d = null)
    {
        Directory.CreateDirectory(root);
        foreach (var (file, bytes) in Files(d ?? Datasets.Mnist, train, test, seed))
            File.WriteAllBytes(Path.Combine(root, file.Name), bytes);
        return root;
    }

    public static ImageDataset Dataset(int train, int test, int seed = 1, DatasetDescriptor? d = null)
    {
        d ??= Datasets.Mnist;
        var f = Files(d, train, test, seed);
        IdxArray Parse(DataFile file) => IdxReader.Parse(f[file], file.Name, file.Rank);
        return new ImageDataset(d, Parse(d.TrainImages), Parse(d.TrainLabels), Parse(d.TestImages), Parse(d.TestLabels));
    }

    /// <summary>
    /// A tiny dataset (4x4 images, 3 classes) whose SHA-256 values are those of <see cref="Files"/>(it, train, test):
    /// real fetches and verification run on it in milliseconds. No mirrors and no fallback unless given.
    /// </summary>
    public static DatasetDescriptor Tiny(int train, int test, params string[] mirrors)
    {
        var d = new DatasetDescriptor
        {
            Name = "tiny", DisplayName = "Tiny", Channels = 1, Height = 4, Width = 4,
            ClassNames = ["a", "b", "c"], TrainCount = train, TestCount = test,
            TrainImages = new("train-images-idx3-ubyte", 3, ""), TrainLabels = new("train-labels-idx1-ubyte", 1, ""),
            TestImages = new("t10k-images-idx3-ubyte", 3, ""), TestLabels = new("t10k-labels-idx1-ubyte", 1, ""),
            Mirrors = mirrors,
        };
        var f = Files(d, train, test);
        DataFile Hashed(DataFile file) => file with { Sha256 = DataFolder.Sha256(f[file]) };
        return d with
        {
            TrainImages = Hashed(d.TrainImages), TrainLabels = Hashed(d.TrainLabels),
            TestImages = Hashed(d.TestImages), TestLabels = Hashed(d.TestLabels),
        };
    }

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "semigan-test-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }
}
