using MathNet.Numerics.Distributions;

namespace SemiGan.Reports;

/// <summary>Mean, sample standard deviation and a Student-t 95% confidence interval of the mean.</summary>
public sealed record Summary(int N, double Mean, double Std, double CiLow, double CiHigh)
{
    public double HalfWidth => (CiHigh - CiLow) / 2;
}

/// <summary>A paired t-test of a - b over matched pairs (here: SGAN vs baseline on the same seeds, hence the same labeled split).</summary>
public sealed record PairedTest(int N, double MeanDifference, double StdDifference, double CiLow, double CiHigh, double T, int DegreesOfFreedom, double P);

/// <summary>
/// The small statistics the reports need, on MathNet.Numerics' Student-t distribution (MathNet has no
/// t-test routine). With fewer than two values there is no spread: std, CI, t and p are NaN.
/// </summary>
public static class Statistics
{
    public const double Confidence = 0.95;

    public static Summary Summarize(IReadOnlyList<double> values)
    {
        int n = values.Count;
        if (n == 0) return new Summary(0, double.NaN, double.NaN, double.NaN, double.NaN);
        double mean = values.Average();
        if (n < 2) return new Summary(1, mean, double.NaN, double.NaN, double.NaN);
        double std = MathNet.Numerics.Statistics.Statistics.StandardDeviation(values); // n - 1 denominator
        double half = TCritical(n - 1) * std / Math.Sqrt(n);
        return new Summary(n, mean, std, mean - half, mean + half);
    }

    /// <summary>Two-sided paired t-test of a[i] - b[i].</summary>
    public static PairedTest Paired(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        if (a.Count != b.Count) throw new ArgumentException("paired test needs equally many values on both sides");
        var d = a.Zip(b, (x, y) => x - y).ToArray();
        var s = Summarize(d);
        if (s.N < 2) return new PairedTest(s.N, s.Mean, double.NaN, double.NaN, double.NaN, double.NaN, 0, double.NaN);
        int df = s.N - 1;
        double se = s.Std / Math.Sqrt(s.N);
        double t = s.Mean / se;
        // A zero spread makes t infinite (or undefined when the mean is also 0): report p accordingly.
        double p = double.IsNaN(t) ? double.NaN : 2 * StudentT.CDF(0, 1, df, -Math.Abs(t));
        return new PairedTest(s.N, s.Mean, s.Std, s.CiLow, s.CiHigh, t, df, p);
    }

    /// <summary>
    /// Holm's step-down adjustment (controls the family-wise error rate under any dependence between the tests):
    /// with the m non-NaN p's sorted ascending, p_(j) becomes max over i ≤ j of min(1, (m − i + 1)·p_(i)).
    /// NaN p's (tests that could not be run) are not counted in m and stay NaN. Same order as the input.
    /// </summary>
    public static double[] Holm(IReadOnlyList<double> p)
    {
        var order = Enumerable.Range(0, p.Count).Where(i => !double.IsNaN(p[i])).OrderBy(i => p[i]).ToArray();
        int m = order.Length;
        var adjusted = Enumerable.Repeat(double.NaN, p.Count).ToArray();
        double running = 0; // the running maximum keeps the adjusted p's in the order of the raw ones
        for (int j = 0; j < m; j++)
        {
            running = Math.Max(running, Math.Min(1, (m - j) * p[order[j]]));
            adjusted[order[j]] = running;
        }
        return adjusted;
    }

    /// <summary>The two-sided critical value t_{(1+Confidence)/2, df}.</summary>
    public static double TCritical(int df) => StudentT.InvCDF(0, 1, df, (1 + Confidence) / 2);
}
