using SemiGan.Kernels;
using System.Globalization;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>One compared quantity: its name, how far fast and reference were apart (absolute for a loss; ‖fast − reference‖ / ‖reference‖ for a tensor), and the tolerance.</summary>
public sealed record FastPathComparison(string Quantity, double Difference, double Tolerance)
{
    public bool Agrees => Difference <= Tolerance; // false for NaN too
}

/// <summary>What the check found: every comparison, and the one closest to (or furthest past) its tolerance.</summary>
public sealed record FastPathVerdict(IReadOnlyList<FastPathComparison> Comparisons, double Seconds)
{
    public bool Agrees => Comparisons.All(c => c.Agrees);

    /// <summary>The comparison with the largest difference relative to its tolerance (NaN first).</summary>
    public FastPathComparison? Worst => Comparisons.MaxBy(c => double.IsNaN(c.Difference) ? double.PositiveInfinity : c.Difference / c.Tolerance);

    public string Describe()
    {
        if (Comparisons.Count == 0) return "fast path check: nothing to compare (no method of this experiment has a fast path: all use the MLP)";
        var w = Worst!;
        string figures = string.Create(CultureInfo.InvariantCulture, $"{w.Quantity} differs by {w.Difference:E1} (tolerance {w.Tolerance:E0})");
        return Agrees
            ? $"fast path check: fast and reference implementations agree ({Comparisons.Count} quantities; largest: {figures}; {Seconds:F1} s)"
            : $"fast path check: DISAGREES: {figures}";
    }
}

/// <summary>--fast-path: check and fall back (auto), check and stop on a disagreement (require), or skip the fast path.</summary>
public enum FastPathMode { Auto, Require, Reference }

/// <summary>The fast path disagreed with the reference under <see cref="FastPathMode.Require"/>.</summary>
public sealed class FastPathMismatchException(string message) : Exception(message);

/// <summary>Which implementation a run trains on, and the check behind that choice.</summary>
public sealed record FastPathChoice(Implementation Implementation, FastPathVerdict? Verdict)
{
    /// <summary>Runs the check (unless told to use the reference) and logs its one line.</summary>
    public static FastPathChoice Make(FastPathMode mode, Func<FastPathVerdict> check, Action<string> log)
    {
        if (mode == FastPathMode.Reference)
        {
            log("fast path: not used (--fast-path reference); training on the reference implementation");
            return new(Implementation.Reference, null);
        }
        var verdict = check();
        if (verdict.Agrees)
        {
            log(verdict.Describe());
            return new(Implementation.Fast, verdict);
        }
        if (mode == FastPathMode.Require)
            throw new FastPathMismatchException($"{verdict.Describe()}; stopping (--fast-path require). Run without it to train on the reference implementation.");
        log($"{verdict.Describe()}; training on the reference implementation instead (slower, same networks)");
        return new(Implementation.Reference, verdict);
    }
}
