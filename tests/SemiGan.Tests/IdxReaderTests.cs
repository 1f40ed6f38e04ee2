using SemiGan.Data;

namespace SemiGan.Tests;

public class IdxReaderTests
{
    [Fact]
    public void Reads_raw_and_gzip_files_alike()
    {
        string dir = Synthetic.TempDir();
        byte[] raw = Synthetic.Idx([1, 2, 3, 4, 5, 6], 3, 2);
        File.WriteAllBytes(Path.Combine(dir, "a"), raw);
        File.WriteAllBytes(Path.Combine(dir, "b.gz"), Synthetic.Gzip(raw));

        var a = IdxReader.Read(Path.Combine(dir, "a"), 2);
        var b = IdxReader.Read(Path.Combine(dir, "b.gz"), 2);

        Assert.Equal([3, 2], a.Dims);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6 }, a.Data);
        Assert.Equal(a.Dims, b.Dims);
        Assert.Equal(a.Data, b.Data);
    }

    [Fact]
    public void Truncated_file_is_rejected_naming_the_file()
    {
        byte[] bytes = Synthetic.Idx(new byte[2 * 28 * 28], 2, 28, 28)[..^10];
        var e = Assert.Throws<DataException>(() => IdxReader.Parse(bytes, "train-images-idx3-ubyte", 3));
        Assert.Contains("train-images-idx3-ubyte", e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Wrong_magic_is_rejected()
    {
        byte[] labels = Synthetic.Idx([1, 2, 3], 3); // rank 1: a labels file
        var e = Assert.Throws<DataException>(() => IdxReader.Parse(labels, "x", 3));
        Assert.Contains("magic", e.Message);
        byte[] wrongType = Synthetic.Idx([1, 2, 3], 3);
        wrongType[2] = 0x0D; // float data
        Assert.Throws<DataException>(() => IdxReader.Parse(wrongType, "x", 1));
    }

    [Fact]
    public void Trailing_bytes_are_rejected() =>
        Assert.Throws<DataException>(() => IdxReader.Parse([.. Synthetic.Idx([1, 2], 2), 9], "x", 1));

    [Fact]
    public void Missing_file_error_says_how_to_fix()
    {
        var e = Assert.Throws<DataException>(() => IdxReader.Read(Path.Combine(Synthetic.TempDir(), "nope"), 1));
        Assert.Contains("semigan data fetch", e.Message);
    }

    [Fact]
    public void Corrupt_gzip_is_rejected()
    {
        string p = Path.Combine(Synthetic.TempDir(), "c.gz");
        File.WriteAllBytes(p, [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5, 6, 7]);
        Assert.Throws<DataException>(() => IdxReader.Read(p, 1));
    }
}
