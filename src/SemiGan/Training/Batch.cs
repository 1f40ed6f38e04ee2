using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>Where a method's labeled images come from each step.</summary>
public enum LabeledSource
{
    /// <summary>The protocol's: masked, the few labeled images inside the step's batch; streams, a full labeled batch.</summary>
    Protocol,
    /// <summary>A full batch every step, whatever the protocol: the labeled set cycled and reshuffled every pass.</summary>
    FullBatches,
}

/// <summary>What a method asks of the harness for each step. The protocol's batches and step count are the same for every method.</summary>
public sealed record DataNeeds
{
    public LabeledSource Labeled { get; init; } = LabeledSource.Protocol;

    /// <summary>Unlabeled images per step, as a multiple μ of the batch size (streams only; 0: none, the step's batch is not read).</summary>
    public int UnlabeledRatio { get; init; } = 1;

    /// <summary>Augmented views of the unlabeled images the method reads as <see cref="Batch.View"/>(0), (1), …</summary>
    public IReadOnlyList<Augmentation> UnlabeledViews { get; init; } = [];

    /// <summary>Augmented views of the labeled images, read as <see cref="Batch.LabeledView"/>(0), (1), …</summary>
    public IReadOnlyList<Augmentation> LabeledViews { get; init; } = [];

    /// <summary>The GANs' and baselines': the protocol's batches as they are.</summary>
    public static readonly DataNeeds Protocol = new();
}

/// <summary>
/// One training step's images as tensors on the run's device, made on first use inside the step's dispose scope
/// (so a method pays only for what it reads, and the torch random stream never moves: indexing and the
/// augmentations' own generators draw nothing from it). <see cref="Indices"/> names the training-set images.
/// </summary>
public sealed class Batch(Step indices, int epoch, int index, int stepsPerEpoch, int seed, Tensor images, Tensor labels, Device device, DataNeeds needs)
{
    Tensor? unlabeled, labeledImages, labelValues;
    readonly Dictionary<(bool Labeled, int View), Tensor> views = [];

    public Step Indices => indices;
    public int Epoch => epoch;
    /// <summary>The step's position in its epoch (0-based).</summary>
    public int Index => index;
    public int StepsPerEpoch => stepsPerEpoch;

    /// <summary>How far into a run of <paramref name="epochs"/> epochs this step is, in [0, 1): for ramp-ups and schedules.</summary>
    public double Progress(int epochs) => ((epoch - 1) * (double)stepsPerEpoch + index) / (epochs * (double)stepsPerEpoch);

    /// <summary>The step's real (unlabeled-loss) batch: masked, the whole batch, labeled images included; streams, μ·B images of the unlabeled pool.</summary>
    public Tensor Unlabeled => unlabeled ??= Take(images, indices.Real);

    public int LabeledCount => indices.Labeled.Length;
    public Tensor LabeledImages => labeledImages ??= Take(images, indices.Labeled);
    public Tensor Labels => labelValues ??= Take(labels, indices.Labeled);

    /// <summary>Masked protocol: where the labeled images sit inside <see cref="Unlabeled"/>; null when they are a batch of their own.</summary>
    public long[]? LabeledPositions => indices.LabeledPositions;

    /// <summary>Augmented view <paramref name="i"/> of the unlabeled images (<see cref="DataNeeds.UnlabeledViews"/>), drawn from (seed, epoch, step, view).</summary>
    public Tensor View(int i) => ViewOf(labeled: false, i);

    /// <summary>Augmented view <paramref name="i"/> of the labeled images (<see cref="DataNeeds.LabeledViews"/>).</summary>
    public Tensor LabeledView(int i) => ViewOf(labeled: true, i);

    Tensor ViewOf(bool labeled, int i)
    {
        var kinds = labeled ? needs.LabeledViews : needs.UnlabeledViews;
        if (i < 0 || i >= kinds.Count) throw new ArgumentOutOfRangeException(nameof(i), $"the method declared {kinds.Count} {(labeled ? "labeled" : "unlabeled")} views");
        if (views.TryGetValue((labeled, i), out var v)) return v;
        // Labeled views after the unlabeled ones, so each view has its own stream.
        using var g = Augment.GeneratorFor(seed, epoch, index, labeled ? needs.UnlabeledViews.Count + i : i);
        return views[(labeled, i)] = Augment.Apply(labeled ? LabeledImages : Unlabeled, kinds[i], g);
    }

    Tensor Take(Tensor source, long[] idx) => source.index_select(0, tensor(idx, device: source.device)).to(device);
}
