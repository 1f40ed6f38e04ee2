namespace SemiGan.Training;

/// <summary>Mean losses over one epoch's steps (null where a loss does not apply) and the step/image counts.</summary>
public sealed record EpochLosses(double? Supervised, double? Unsupervised, double? Generator, int Steps, long RealImages, long LabeledImages)
{
    /// <summary>
    /// "unsupervised_loss is NaN, ..." for every loss that is not finite; null when all are. One bad step
    /// makes the epoch's sum, so its mean, non-finite, so no per-step check (and host sync) is needed.
    /// </summary>
    public string? NonFinite()
    {
        var bad = new[] { ("supervised_loss", Supervised), ("unsupervised_loss", Unsupervised), ("generator_loss", Generator) }
            .Where(l => l.Item2 is { } v && !double.IsFinite(v))
            .Select(l => $"{l.Item1} is {(double.IsNaN(l.Item2!.Value) ? "NaN" : "infinite")}")
            .ToList();
        return bad.Count == 0 ? null : string.Join(", ", bad);
    }
}
