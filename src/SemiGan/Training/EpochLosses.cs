using System.Globalization;

namespace SemiGan.Training;

/// <summary>
/// A method's named losses for one epoch (means over its steps; null where a loss had no step, e.g. a
/// supervised loss in an epoch without a labeled image), in the method's order. Equal when the losses
/// that have values are equal in name, order and value: a null loss is the same as an absent one (a CSV
/// cell is empty for both).
/// </summary>
public sealed class LossValues : IEquatable<LossValues>
{
    public static readonly LossValues None = new([]);

    public IReadOnlyList<(string Name, double? Value)> Items { get; }

    public LossValues(IEnumerable<(string Name, double? Value)> items)
    {
        Items = items.ToArray();
        if (Items.Select(i => i.Name).Distinct().Count() != Items.Count) throw new ArgumentException("loss names must be distinct");
    }

    public static LossValues Of(params (string Name, double? Value)[] items) => new(items);

    public IEnumerable<string> Names => Items.Select(i => i.Name);

    /// <summary>The value of a loss, or null when it is absent or had no step.</summary>
    public double? this[string name] => Items.FirstOrDefault(i => i.Name == name).Value;

    IEnumerable<(string Name, double Value)> Present => Items.Where(i => i.Value is not null).Select(i => (i.Name, i.Value!.Value));

    public bool Equals(LossValues? other) => other is not null && Present.SequenceEqual(other.Present);

    public override bool Equals(object? obj) => Equals(obj as LossValues);

    public override int GetHashCode() => Present.Aggregate(0, (h, i) => HashCode.Combine(h, i.Name, i.Value));

    public override string ToString() =>
        string.Join(", ", Items.Select(i => $"{i.Name} {i.Value?.ToString("G6", CultureInfo.InvariantCulture) ?? "–"}"));
}

/// <summary>One epoch of a method: its named losses and the step and image counts.</summary>
public sealed record EpochLosses(LossValues Losses, int Steps, long RealImages, long LabeledImages)
{
    /// <summary>
    /// "unsupervised loss is NaN, ..." for every loss that is not finite; null when all are. One bad step
    /// makes the epoch's sum, so its mean, non-finite, so no per-step check (and host sync) is needed.
    /// </summary>
    public string? NonFinite()
    {
        var bad = Losses.Items
            .Where(l => l.Value is { } v && !double.IsFinite(v))
            .Select(l => $"{l.Name}_loss is {(double.IsNaN(l.Value!.Value) ? "NaN" : "infinite")}")
            .ToList();
        return bad.Count == 0 ? null : string.Join(", ", bad);
    }
}
