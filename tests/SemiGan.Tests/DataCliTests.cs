using SemiGan.Data;

namespace SemiGan.Tests;

public class DataCliTests
{
    [Fact]
    public void Data_fetch_of_an_unknown_dataset_exits_2_naming_the_allowed_values()
    {
        string dir = Path.Combine(Synthetic.TempDir(), "d");
        var (code, _, err) = CliCapture.Run("data", "fetch", "--dataset", "cifar10", "--dir", dir);
        Assert.Equal(2, code);
        Assert.Equal("semigan: error: dataset: 'cifar10' is not known; use one of mnist, fashion-mnist.", err.Trim());
        Assert.False(Directory.Exists(dir));
    }

    [Fact]
    public void Data_fetch_checks_files_already_there_against_the_chosen_dataset()
    {
        // MNIST-named files with other contents: fashion-mnist's hashes are the ones named.
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        var (code, _, err) = CliCapture.Run("data", "fetch", "--dataset", "fashion-mnist", "--dir", dir);
        Assert.Equal(1, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(Datasets.FashionMnist.TrainImages.Sha256, err);
        Assert.Contains("--dataset fashion-mnist", err);
    }

    [Fact]
    public void Run_with_a_tampered_data_file_exits_1_naming_the_file_and_expected_hash()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), 20, 10);
        string exp = Path.Combine(dir, "x.json");
        File.WriteAllText(exp, """{ "name": "x", "labels": 100, "seeds": [1], "epochs": 1 }""");

        var (code, _, err) = CliCapture.Run("run", exp, "--data", data, "--out", Path.Combine(dir, "out"), "--device", "cpu", "--fast-path", "reference");

        Assert.Equal(1, code);
        string line = Assert.Single(err.Trim().Split('\n'));
        // The training labels are read first (the split check before torch loads), so theirs may be the file named.
        Assert.Contains(Datasets.Mnist.Files, f => line.Contains(Path.Combine(data, f.Name) + ":") && line.Contains($"does not match the expected {f.Sha256}"));
    }
}
