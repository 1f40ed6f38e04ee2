using SemiGan.Data;

namespace SemiGan.Tests;

public class DataFolderTests
{
    static readonly DatasetDescriptor Mnist = Datasets.Mnist;

    [Fact]
    public void Checksum_mismatch_names_file_expected_hash_and_fix()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        var e = Assert.Throws<DataException>(() => DataFolder.ReadVerified(Mnist, dir, Mnist.TrainLabels));
        Assert.Contains(Mnist.TrainLabels.Name, e.Message);
        Assert.Contains(Mnist.TrainLabels.Sha256, e.Message);
        Assert.Contains("semigan data fetch --dataset mnist", e.Message);
    }

    [Fact]
    public void Missing_file_is_reported_by_name()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        File.Delete(Path.Combine(dir, Mnist.TestLabels.Name));
        var e = Assert.Throws<DataException>(() => ImageDataset.Load(Mnist, dir, verify: false));
        Assert.Contains(Mnist.TestLabels.Name, e.Message);
    }

    [Fact]
    public void Gz_file_is_found_when_raw_is_absent()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        string raw = Path.Combine(dir, Mnist.TestLabels.Name);
        File.WriteAllBytes(raw + ".gz", Synthetic.Gzip(File.ReadAllBytes(raw)));
        File.Delete(raw);
        Assert.Equal(raw + ".gz", DataFolder.Locate(dir, Mnist.TestLabels));
        using var ds = ImageDataset.Load(Mnist, dir, verify: false);
        Assert.Equal(10, ds.TestCount);
    }
}
