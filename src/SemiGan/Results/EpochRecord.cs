namespace SemiGan.Results;

/// <summary>
/// One row of the tidy per-epoch log: one model x seed x epoch. Losses are epoch means over steps;
/// a loss that does not apply to the model (e.g. generator loss for the baseline) is null (empty in CSV).
/// </summary>
public sealed record EpochRecord
{
    public required string Experiment { get; init; }
    /// <summary>"sgan" or "baseline".</summary>
    public required string Model { get; init; }
    /// <summary>"masked" or "streams".</summary>
    public required string Protocol { get; init; }
    /// <summary>"gan_logit" or "softmax11".</summary>
    public required string Head { get; init; }
    public required int Labels { get; init; }
    public required int Seed { get; init; }
    /// <summary>1-based epoch number (see README for what an epoch is under each protocol).</summary>
    public required int Epoch { get; init; }
    /// <summary>Optimizer steps of this model so far (cumulative).</summary>
    public required long Iterations { get; init; }
    /// <summary>Real training images the classifier has seen so far (cumulative; labeled + unlabeled).</summary>
    public required long ImagesSeen { get; init; }
    /// <summary>Labeled images consumed by the supervised loss so far (cumulative).</summary>
    public required long LabeledImagesSeen { get; init; }
    public required double TestAccuracy { get; init; }
    public required double TestLoss { get; init; }
    public double? SupervisedLoss { get; init; }
    public double? UnsupervisedLoss { get; init; }
    public double? GeneratorLoss { get; init; }
    public required double EpochSeconds { get; init; }
}
