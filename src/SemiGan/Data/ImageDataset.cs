using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Data;

/// <summary>
/// A dataset in memory as tensors on the CPU: images float32 [N,C,H,W] (shape from the descriptor) scaled to
/// [-1,1] (matching the generator's tanh), labels int64 [N]. Batches are gathered by index from these tensors.
/// </summary>
public sealed class ImageDataset : IDisposable
{
    public DatasetDescriptor Descriptor { get; }
    public Tensor TrainImages { get; }
    public Tensor TrainLabels { get; }
    public Tensor TestImages { get; }
    public Tensor TestLabels { get; }
    /// <summary>Host copy of the training labels, for building the labeled split.</summary>
    public byte[] TrainLabelsHost { get; }

    public int TrainCount => (int)TrainImages.shape[0];
    public int TestCount => (int)TestImages.shape[0];

    /// <summary>From four parsed IDX arrays of any count (tests use small ones); shapes and labels are checked against the descriptor.</summary>
    public ImageDataset(DatasetDescriptor descriptor, IdxArray trainImages, IdxArray trainLabels, IdxArray testImages, IdxArray testLabels)
    {
        Descriptor = descriptor;
        CheckPair(descriptor, trainImages, trainLabels, "training");
        CheckPair(descriptor, testImages, testLabels, "test");
        TrainImages = ToImages(descriptor, trainImages);
        TrainLabels = ToLabels(trainLabels);
        TestImages = ToImages(descriptor, testImages);
        TestLabels = ToLabels(testLabels);
        TrainLabelsHost = trainLabels.Data;
    }

    /// <summary>
    /// Loads the four files from a folder (raw or .gz). With <paramref name="verify"/> the SHA-256 values and the
    /// counts must be the descriptor's; without, any count is accepted (a subset, or other data of the same shape).
    /// </summary>
    public static ImageDataset Load(DatasetDescriptor d, string folder, bool verify = true)
    {
        var arrays = d.Files.Select(f => DataFolder.ReadVerified(d, folder, f, verify)).ToArray();
        if (verify && (arrays[0].Count != d.TrainCount || arrays[2].Count != d.TestCount))
            throw new DataException(
                $"{folder}: {arrays[0].Count} training and {arrays[2].Count} test images, {d.DisplayName} has {d.TrainCount} and {d.TestCount}; re-fetch with 'semigan data fetch --dataset {d.Name}'.");
        return new ImageDataset(d, arrays[0], arrays[1], arrays[2], arrays[3]);
    }

    static void CheckPair(DatasetDescriptor d, IdxArray images, IdxArray labels, string what)
    {
        if (!images.Dims.AsSpan(1).SequenceEqual(d.ImageDims))
            throw new DataException(
                $"{what} images are {string.Join("x", images.Dims[1..])}, {d.DisplayName} images are {string.Join("x", d.ImageDims)}; pass that dataset's folder, or the dataset these files belong to.");
        if (images.Count != labels.Count)
            throw new DataException($"{what} set: {images.Count} images but {labels.Count} labels; re-fetch the data files.");
        if (labels.Data.Any(b => b >= d.Classes))
            throw new DataException($"{what} labels: values outside 0-{d.Classes - 1} ({d.DisplayName} has {d.Classes} classes); re-fetch the data files.");
    }

    static Tensor ToImages(DatasetDescriptor d, IdxArray a)
    {
        using var bytes = torch.tensor(a.Data, dtype: ScalarType.Byte);
        using var f = bytes.to_type(ScalarType.Float32);
        return f.div_(127.5f).sub_(1f).reshape(a.Count, d.Channels, d.Height, d.Width);
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
