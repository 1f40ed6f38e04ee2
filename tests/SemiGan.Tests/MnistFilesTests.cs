using SemiGan.Data;

namespace SemiGan.Tests;

public class MnistFilesTests
{
    [Fact]
    public void Checksum_mismatch_names_file_expected_hash_and_fix()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        var e = Assert.Throws<DataException>(() => MnistFiles.ReadVerified(dir, MnistFiles.TrainLabels));
        Assert.Contains(MnistFiles.TrainLabels.Name, e.Message);
        Assert.Contains(MnistFiles.TrainLabels.Sha256, e.Message);
        Assert.Contains("semigan data fetch", e.Message);
    }

    [Fact]
    public void Missing_file_is_reported_by_name()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        File.Delete(Path.Combine(dir, MnistFiles.TestLabels.Name));
        var e = Assert.Throws<DataException>(() => MnistDataset.Load(dir, verify: false));
        Assert.Contains(MnistFiles.TestLabels.Name, e.Message);
    }

    [Fact]
    public void Gz_file_is_found_when_raw_is_absent()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        string raw = Path.Combine(dir, MnistFiles.TestLabels.Name);
        File.WriteAllBytes(raw + ".gz", Synthetic.Gzip(File.ReadAllBytes(raw)));
        File.Delete(raw);
        Assert.Equal(raw + ".gz", MnistFiles.Locate(dir, MnistFiles.TestLabels));
        using var ds = MnistDataset.Load(dir, verify: false);
        Assert.Equal(10, ds.TestCount);
    }
}
