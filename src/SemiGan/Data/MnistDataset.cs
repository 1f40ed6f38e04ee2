using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Data;

/// <summary>
/// MNIST in memory as tensors on the CPU: images float32 [N,1,28,28] scaled to [-1,1] (matching the
/// generator's tanh), labels int64 [N]. Batches are gathered by index from these tensors.
/// </summary>
public sealed class MnistDataset : IDisposable
{
    public Tensor TrainImages { get; }
    public Tensor TrainLabels { get; }
    public Tensor TestImages { get; }
    public Tensor TestLabels { get; }
    /// <summary>Host copy of the training labels, for building the labeled split.</summary>
    public byte[] TrainLabelsHost { get; }

    public int TrainCount => (int)TrainImages.shape[0];
    public int TestCount => (int)TestImages.shape[0];

    public MnistDataset(IdxArray trainImages, IdxArray trainLabels, IdxArray testImages, IdxArray testLabels)
    {
        CheckPair(trainImages, trainLabels, "training");
        CheckPair(testImages, testLabels, "test");
        TrainImages = ToImages(trainImages);
        TrainLabels = ToLabels(trainLabels);
        TestImages = ToImages(testImages);
        TestLabels = ToLabels(testLabels);
        TrainLabelsHost = trainLabels.Data;
    }

    /// <summary>Loads the four files from a folder (raw or .gz). <paramref name="verify"/> checks the MNIST SHA-256 values.</summary>
    public static MnistDataset Load(string folder, bool verify = true) => new(
        MnistFiles.ReadVerified(folder, MnistFiles.TrainImages, verify),
        MnistFiles.ReadVerified(folder, MnistFiles.TrainLabels, verify),
        MnistFiles.ReadVerified(folder, MnistFiles.TestImages, verify),
        MnistFiles.ReadVerified(folder, MnistFiles.TestLabels, verify));

    static void CheckPair(IdxArray images, IdxArray labels, string what)
    {
        if (images.Count != labels.Count)
            throw new DataException($"{what} set: {images.Count} images but {labels.Count} labels; re-fetch the data files.");
        if (labels.Data.Any(b => b > 9))
            throw new DataException($"{what} labels: values outside 0-9; re-fetch the data files.");
    }

    static Tensor ToImages(IdxArray a)
    {
        using var bytes = torch.tensor(a.Data, dtype: ScalarType.Byte);
        using var f = bytes.to_type(ScalarType.Float32);
        return f.div_(127.5f).sub_(1f).reshape(a.Dims[0], 1, a.Dims[1], a.Dims[2]);
    }

    static Tensor ToLabels(IdxArray a)
    {
        using var bytes = torch.tensor(a.Data, dtype: ScalarType.Byte);
        return bytes.to_type(ScalarType.Int64);
    }

    public void Dispose()
    {
        TrainImages.Dispose(); TrainLabels.Dispose(); TestImages.Dispose(); TestLabels.Dispose();
    }
}
