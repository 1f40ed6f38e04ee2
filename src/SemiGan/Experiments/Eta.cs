using System.Globalization;

namespace SemiGan.Experiments;

/// <summary>
/// The time a grid has left, weighted by each method's step cost as measured in this process: seconds per training step
/// of every method that has trained an epoch here or in the folder (variants count as their registered method). A method
/// not yet measured is priced from a measured one by their ratio in <see cref="Prior"/> (a bench file's step times), else
/// at the mean cost per step of those measured. A GAN step costs several supervised steps, so counting steps alone
/// would be off by that much whenever the remaining runs are of other methods than the ones behind.
/// </summary>
public sealed class Eta
{
    readonly Dictionary<string, (double Seconds, long Steps)> measured = [];

    /// <summary>Relative step costs by registered method (any unit: only ratios are used), e.g. `semigan bench`'s step times; null: none.</summary>
    public IReadOnlyDictionary<string, double>? Prior { get; init; }

    /// <summary>An epoch of <paramref name="method"/>: its training steps and the seconds they took.</summary>
    public void Record(string method, long steps, double seconds)
    {
        if (steps <= 0) return;
        var (s, n) = measured.GetValueOrDefault(method);
        measured[method] = (s + seconds, n + steps);
    }

    /// <summary>Seconds per step of <paramref name="method"/>, or null before anything was measured.</summary>
    public double? SecondsPerStep(string method)
    {
        if (measured.TryGetValue(method, out var m)) return m.Seconds / m.Steps;
        if (measured.Count == 0) return null;
        // The measured method with the most steps behind it, scaled by the two methods' bench ratio.
        if (Prior is not null && Prior.TryGetValue(method, out double cost) && cost > 0
            && measured.Where(x => Prior.TryGetValue(x.Key, out double c) && c > 0).OrderByDescending(x => x.Value.Steps).FirstOrDefault() is { Key: not null } known)
            return known.Value.Seconds / known.Value.Steps * cost / Prior[known.Key];
        return measured.Values.Sum(x => x.Seconds) / measured.Values.Sum(x => x.Steps);
    }

    /// <summary>The seconds the remaining steps, by method, take at the measured costs; null before anything was measured.</summary>
    public double? Remaining(IEnumerable<(string Method, long Steps)> left)
    {
        double total = 0;
        foreach (var (method, steps) in left)
        {
            if (SecondsPerStep(method) is not { } cost) return null;
            total += cost * steps;
        }
        return total;
    }

    /// <summary>"2 h 05 min", "12 min", "40 s".</summary>
    public static string Describe(double seconds)
    {
        var t = TimeSpan.FromSeconds(Math.Max(0, Math.Round(seconds)));
        return t.TotalHours >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours} h {t.Minutes:D2} min")
            : t.TotalMinutes >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{(int)Math.Round(t.TotalMinutes)} min")
            : string.Create(CultureInfo.InvariantCulture, $"{t.Seconds} s");
    }
}
