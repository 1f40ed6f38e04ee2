using SemiGan.Data;

namespace SemiGan.Tests;

public class DatasetDescriptorTests
{
    [Fact]
    public void Both_datasets_are_60000_plus_10000_grey_28x28_images_of_10_classes()
    {
        Assert.Equal(["mnist", "fashion-mnist"], Datasets.Names);
        foreach (var d in Datasets.All)
        {
            Assert.Equal((1, 28, 28), (d.Channels, d.Height, d.Width));
            Assert.Equal((60000, 10000), (d.TrainCount, d.TestCount));
            Assert.Equal(10, d.Classes);
            Assert.Equal(4, d.Files.Select(f => f.Sha256).Distinct().Count());
            Assert.All(d.Files, f => Assert.Matches("^[0-9a-f]{64}$", f.Sha256));
            Assert.NotEmpty(d.Mirrors);
            Assert.NotNull(d.Fallback);
        }
        Assert.Equal("MNIST", Datasets.Mnist.DisplayName);
        Assert.Equal("Fashion-MNIST", Datasets.FashionMnist.DisplayName);
        Assert.Equal("T-shirt/top", Datasets.FashionMnist.ClassNames[0]);
        Assert.Equal("Ankle boot", Datasets.FashionMnist.ClassNames[9]);
        Assert.Empty(Datasets.Mnist.Files.Select(f => f.Sha256).Intersect(Datasets.FashionMnist.Files.Select(f => f.Sha256)));
    }

    [Fact]
    public void Default_folder_is_data_slash_name_and_SEMIGAN_DATA_stays_the_mnist_folder()
    {
        string? before = Environment.GetEnvironmentVariable("SEMIGAN_DATA");
        try
        {
            Environment.SetEnvironmentVariable("SEMIGAN_DATA", null);
            Assert.Equal(Path.Combine("data", "mnist"), Datasets.Mnist.DefaultFolder);
            Environment.SetEnvironmentVariable("SEMIGAN_DATA", "/somewhere/mnist");
            Assert.Equal("/somewhere/mnist", Datasets.Mnist.DefaultFolder);
            Assert.Equal(Path.Combine("data", "fashion-mnist"), Datasets.FashionMnist.DefaultFolder);
        }
        finally { Environment.SetEnvironmentVariable("SEMIGAN_DATA", before); }
    }

    [Fact]
    public void Unknown_name_is_an_argument_error_naming_the_allowed_values()
    {
        Assert.Same(Datasets.FashionMnist, Datasets.Get("fashion-mnist"));
        Assert.Same(Datasets.Mnist, Datasets.Find("MNIST"));
        Assert.Null(Datasets.Find("cifar10"));
        var e = Assert.Throws<ArgumentException>(() => Datasets.Get("cifar10"));
        Assert.Equal("dataset: 'cifar10' is not known; use one of mnist, fashion-mnist.", e.Message);
    }

    [Fact]
    public void Dataset_tensors_take_their_shape_from_the_descriptor()
    {
        using var fashion = Synthetic.Dataset(30, 20, d: Datasets.FashionMnist);
        Assert.Same(Datasets.FashionMnist, fashion.Descriptor);
        Assert.Equal([30L, 1, 28, 28], fashion.TrainImages.shape);
        Assert.Equal([20L], fashion.TestLabels.shape);

        var tiny = Synthetic.Tiny(6, 3);
        using var t = Synthetic.Dataset(6, 3, d: tiny);
        Assert.Equal([6L, 1, 4, 4], t.TrainImages.shape);
        Assert.Equal(2L, t.TrainLabels.max().item<long>());
    }

    [Fact]
    public void Files_of_another_shape_or_label_range_are_refused_by_name()
    {
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 20, 10);
        var e = Assert.Throws<DataException>(() => ImageDataset.Load(Synthetic.Tiny(20, 10), dir, verify: false));
        Assert.Contains("28x28", e.Message);
        Assert.Contains("Tiny images are 4x4", e.Message);

        // MNIST's ten labels in a three-class dataset of the same image size.
        var threeClasses = Datasets.Mnist with { ClassNames = ["a", "b", "c"] };
        e = Assert.Throws<DataException>(() => ImageDataset.Load(threeClasses, dir, verify: false));
        Assert.Contains("outside 0-2", e.Message);
    }

    [Fact]
    public void Verified_load_requires_the_descriptor_counts()
    {
        var tiny = Synthetic.Tiny(6, 3);
        string dir = Synthetic.WriteFolder(Synthetic.TempDir(), 6, 3, d: tiny);
        using (var ok = ImageDataset.Load(tiny, dir)) Assert.Equal((6, 3), (ok.TrainCount, ok.TestCount));

        var e = Assert.Throws<DataException>(() => ImageDataset.Load(tiny with { TrainCount = 7 }, dir));
        Assert.Contains("6 training", e.Message);
        Assert.Contains("Tiny has 7", e.Message);
        using var unverified = ImageDataset.Load(tiny with { TrainCount = 7 }, dir, verify: false);
        Assert.Equal(6, unverified.TrainCount);
    }
}
