using SemiGan.Data;

namespace SemiGan.Tests;

/// <summary>
/// Real Fashion-MNIST, fetched like 'semigan data fetch --dataset fashion-mnist' into the repo's data/fashion-mnist
/// (a mirror where reachable, else Debian's package). Skipped, with the reason, where it cannot be had; in CI
/// SEMIGAN_REQUIRE_MNIST=1 makes a missing dataset a failure.
/// </summary>
public class RealFashionMnistTests
{
    [SkippableFact]
    public void Fetched_fashion_mnist_has_the_descriptor_counts_and_every_class()
    {
        var d = Datasets.FashionMnist;
        string folder = Path.Combine(RepoRoot.Path, "data", d.Name);
        try { DatasetFetcher.EnsurePresent(d, folder); }
        catch (DataException e) when (Environment.GetEnvironmentVariable("SEMIGAN_REQUIRE_MNIST") != "1")
        {
            Skip.If(true, "real Fashion-MNIST unavailable: " + e.Message);
        }

        using var ds = ImageDataset.Load(d, folder);
        Assert.Equal((d.TrainCount, d.TestCount), (ds.TrainCount, ds.TestCount));
        Assert.Equal([d.TrainCount, 1L, d.Height, d.Width], ds.TrainImages.shape);
        // Balanced classes: 6,000 training and 1,000 test images of each of the ten.
        Assert.Equal(Enumerable.Repeat(d.TrainCount / d.Classes, d.Classes), PerClass(ds.TrainLabels));
        Assert.Equal(Enumerable.Repeat(d.TestCount / d.Classes, d.Classes), PerClass(ds.TestLabels));
        Assert.Equal(-1f, ds.TrainImages.min().item<float>());
        Assert.Equal(1f, ds.TrainImages.max().item<float>());
    }

    static IEnumerable<int> PerClass(TorchSharp.torch.Tensor labels) =>
        labels.data<long>().ToArray().CountBy(l => l).OrderBy(kv => kv.Key).Select(kv => kv.Value);
}
