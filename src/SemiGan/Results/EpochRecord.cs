using SemiGan.Training;

namespace SemiGan.Results;

/// <summary>
/// One row of the tidy per-epoch log: one method x seed x epoch. Losses are the method's named epoch
/// means (a column each in the CSV); validation figures are null when the experiment holds out none.
/// </summary>
public sealed record EpochRecord
{
    public required string Experiment { get; init; }
    /// <summary>The run this row belongs to (method, dataset, protocol, head, label count, seed).</summary>
    public required RunSpec Run { get; init; }
    /// <summary>1-based epoch number (see README for what an epoch is under each protocol).</summary>
    public required int Epoch { get; init; }
    /// <summary>Optimizer steps of this method so far (cumulative).</summary>
    public required long Iterations { get; init; }
    /// <summary>Real training images the classifier has seen so far (cumulative; labeled + unlabeled).</summary>
    public required long ImagesSeen { get; init; }
    /// <summary>Labeled images consumed by the supervised loss so far (cumulative).</summary>
    public required long LabeledImagesSeen { get; init; }
    public double? ValidationAccuracy { get; init; }
    public double? ValidationLoss { get; init; }
    /// <summary>Null when the experiment never evaluates the test set (<c>evaluateTest: false</c>, as in tuning).</summary>
    public required double? TestAccuracy { get; init; }
    public required double? TestLoss { get; init; }
    /// <summary>
    /// Where the method evaluates averaged weights (an ema, or Mean Teacher's teacher), the live (trained) weights'
    /// validation and test accuracy at the same epoch; the columns above are then the averaged weights', the reported
    /// ones. Null for a method without averaged weights, without the split, and in files written before the columns.
    /// </summary>
    public double? LiveValidationAccuracy { get; init; }
    public double? LiveTestAccuracy { get; init; }
    public LossValues Losses { get; init; } = LossValues.None;
    public required double EpochSeconds { get; init; }
    /// <summary>When the epoch's row was written (UTC); null in files written before the column existed.</summary>
    public DateTimeOffset? FinishedUtc { get; init; }

    /// <summary>This row without its timing (epoch seconds, time written): what two runs of one seed must agree on.</summary>
    public EpochRecord Untimed() => this with { EpochSeconds = 0, FinishedUtc = null };
}
