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

    /// <summary>Writes a synthetic MNIST-named folder (train and test) and returns its path.</summary>
    public static string WriteFolder(string root, int train, int test, int seed = 1)
    {
        Directory.CreateDirectory(root);
        var (ti, tl) = Digits(train, seed);
        var (si, sl) = Digits(test, seed + 1000);
        File.WriteAllBytes(Path.Combine(root, MnistFiles.TrainImages.Name), Idx(ti, train, 28, 28));
        File.WriteAllBytes(Path.Combine(root, MnistFiles.TrainLabels.Name), Idx(tl, train));
        File.WriteAllBytes(Path.Combine(root, MnistFiles.TestImages.Name), Idx(si, test, 28, 28));
        File.WriteAllBytes(Path.Combine(root, MnistFiles.TestLabels.Name), Idx(sl, test));
        return root;
    }

    public static MnistDataset Dataset(int train, int test, int seed = 1)
    {
        var (ti, tl) = Digits(train, seed);
        var (si, sl) = Digits(test, seed + 1000);
        return new MnistDataset(new IdxArray([train, 28, 28], ti), new IdxArray([train], tl),
            new IdxArray([test, 28, 28], si), new IdxArray([test], sl));
    }

    public static string TempDir()
    {
        string d = Path.Combine(Path.GetTempPath(), "semigan-test-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(d);
        return d;
    }
}
