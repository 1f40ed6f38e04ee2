using MathNet.Numerics.Distributions;

namespace SemiGan.Reports;

/// <summary>Mean, sample standard deviation and a Student-t 95% confidence interval of the mean.</summary>
public sealed record Summary(int N, double Mean, double Std, double CiLow, double CiHigh)
{
    public double HalfWidth => (CiHigh - CiLow) / 2;
    /// <summary>The smallest value (NaN for none).</summary>
    public double Min { get; init; } = double.NaN;
    /// <summary>The median (the mean of the two middle values when N is even; NaN for none).</summary>
    public double Median { get; init; } = double.NaN;
}

/// <summary>A paired t-test of a - b over matched pairs (here: SGAN vs baseline on the same seeds, hence the same labeled split).</summary>
public sealed record PairedTest(int N, double MeanDifference, double StdDifference, double CiLow, double CiHigh, double T, int DegreesOfFreedom, double P);

/// <summary>
/// Two one-sided paired t-tests of a − b against an equivalence margin ±m: H0 mean ≤ −m (p <see cref="PLower"/>) and
/// H0 mean ≥ +m (p <see cref="PUpper"/>). Equivalent at level α when both reject, i.e. <see cref="P"/> = max of the two
/// &lt; α, which is the (1 − 2α) CI lying inside (−m, +m); the CI given is that 90% one (α = 0.05).
/// </summary>
public sealed record EquivalenceTest(int N, double Margin, double MeanDifference, double CiLow, double CiHigh, double PLower, double PUpper)
{
    public const double Alpha = 0.05;
    public double P => Math.Max(PLower, PUpper);
    public bool Equivalent => P < Alpha;
}

/// <summary>A test of equal variances: its statistic, degrees of freedom and two-sided p (NaN when it cannot be computed).</summary>
public sealed record VarianceTest(double Statistic, int Df1, int Df2, double P);

/// <summary>The across-seed spread of two samples (a, b) compared: their sample stds, the F-test and the Brown–Forsythe test.</summary>
public sealed record SpreadComparison(double StdA, double StdB, VarianceTest F, VarianceTest BrownForsythe)
{
    public double StdRatio => StdA / StdB;
}

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
        double min = values.Min(), median = MathNet.Numerics.Statistics.Statistics.Median(values);
        if (n < 2) return new Summary(1, mean, double.NaN, double.NaN, double.NaN) { Min = min, Median = median };
        double std = MathNet.Numerics.Statistics.Statistics.StandardDeviation(values); // n - 1 denominator
        double half = TCritical(n - 1) * std / Math.Sqrt(n);
        return new Summary(n, mean, std, mean - half, mean + half) { Min = min, Median = median };
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

    /// <summary>TOST for equivalence of paired a[i] and b[i] within ±<paramref name="margin"/> (same units), at α = 0.05.</summary>
    public static EquivalenceTest Equivalence(IReadOnlyList<double> a, IReadOnlyList<double> b, double margin)
    {
        if (a.Count != b.Count) throw new ArgumentException("paired test needs equally many values on both sides");
        return Equivalence(Paired(a, b), margin);
    }

    /// <summary>TOST from a paired test's mean, std and count of differences.</summary>
    public static EquivalenceTest Equivalence(PairedTest d, double margin)
    {
        if (!(margin > 0)) throw new ArgumentOutOfRangeException(nameof(margin), margin, "an equivalence margin must be positive");
        if (d.N < 2 || !(d.StdDifference > 0)) return new EquivalenceTest(d.N, margin, d.MeanDifference, double.NaN, double.NaN, double.NaN, double.NaN);
        int df = d.N - 1;
        double se = d.StdDifference / Math.Sqrt(d.N), half = StudentT.InvCDF(0, 1, df, 1 - EquivalenceTest.Alpha) * se;
        double pLower = StudentT.CDF(0, 1, df, -(d.MeanDifference + margin) / se), pUpper = StudentT.CDF(0, 1, df, (d.MeanDifference - margin) / se);
        return new EquivalenceTest(d.N, margin, d.MeanDifference, d.MeanDifference - half, d.MeanDifference + half, pLower, pUpper);
    }

    /// <summary>The std of each sample, the F-test and the Brown–Forsythe test of equal variances.</summary>
    public static SpreadComparison CompareSpread(IReadOnlyList<double> a, IReadOnlyList<double> b) =>
        new(Summarize(a).Std, Summarize(b).Std, VarianceRatio(a, b), BrownForsythe(a, b));

    /// <summary>
    /// The F-test of equal variances (R's var.test): F = s_a²/s_b² on (n_a − 1, n_b − 1) degrees of freedom,
    /// p = 2·min(CDF(F), 1 − CDF(F)). Exact for normal samples, and sensitive to non-normality.
    /// </summary>
    public static VarianceTest VarianceRatio(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int df1 = a.Count - 1, df2 = b.Count - 1;
        if (df1 < 1 || df2 < 1) return new VarianceTest(double.NaN, df1, df2, double.NaN);
        double f = MathNet.Numerics.Statistics.Statistics.Variance(a) / MathNet.Numerics.Statistics.Statistics.Variance(b);
        // One zero variance makes F 0 or infinite (p = 0, as R gives); both zero leave F undefined.
        double p = double.IsNaN(f) ? double.NaN
            : double.IsPositiveInfinity(f) || f == 0 ? 0
            : 2 * Math.Min(FisherSnedecor.CDF(df1, df2, f), 1 - FisherSnedecor.CDF(df1, df2, f));
        return new VarianceTest(f, df1, df2, p);
    }

    /// <summary>
    /// The Brown–Forsythe test (Levene's test on absolute deviations from the median; R's car::leveneTest with
    /// center = median): the one-way ANOVA F of z = |x − median of its sample| between the two samples, on
    /// (1, n_a + n_b − 2) degrees of freedom, p = 1 − CDF(F). Robust to non-normality. When the z's do not vary
    /// within either sample (always so with two values per sample) the F has nothing to compare against: NaN.
    /// </summary>
    public static VarianceTest BrownForsythe(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        int n = a.Count + b.Count;
        if (a.Count < 2 || b.Count < 2) return new VarianceTest(double.NaN, 1, n - 2, double.NaN);
        double[] Deviations(IReadOnlyList<double> x)
        {
            // Two values: both deviations are half the range. Computed as |x − midpoint| they can differ in the
            // last bit, and that rounding alone would make the F huge.
            if (x.Count == 2) { double half = Math.Abs(x[0] - x[1]) / 2; return [half, half]; }
            double median = MathNet.Numerics.Statistics.Statistics.Median(x);
            return x.Select(v => Math.Abs(v - median)).ToArray();
        }
        double[] za = Deviations(a), zb = Deviations(b);
        double ma = za.Average(), mb = zb.Average(), m = za.Concat(zb).Average();
        double between = za.Length * (ma - m) * (ma - m) + zb.Length * (mb - m) * (mb - m); // 1 degree of freedom
        double within = za.Sum(z => (z - ma) * (z - ma)) + zb.Sum(z => (z - mb) * (z - mb)); // n - 2
        if (within == 0) return new VarianceTest(double.NaN, 1, n - 2, double.NaN);
        double f = between / (within / (n - 2));
        return new VarianceTest(f, 1, n - 2, 1 - FisherSnedecor.CDF(1, n - 2, f));
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

    /// <summary>
    /// The smallest true mean paired difference δ that a two-sided paired t-test on <paramref name="n"/> pairs detects
    /// at level <paramref name="alpha"/> with probability <paramref name="power"/>, when the differences have std
    /// <paramref name="stdDifference"/>: the δ solving P(|T'| > t_{1−α/2, n−1}) = power, T' noncentral t on n − 1 df
    /// with noncentrality δ·sqrt(n)/std (exact for normal differences; no normal approximation). NaN below two pairs.
    /// </summary>
    public static double SmallestDetectableGain(int n, double stdDifference, double alpha = 0.05, double power = 0.8)
    {
        if (!(power > alpha && power < 1)) throw new ArgumentOutOfRangeException(nameof(power), power, "power must lie between alpha and 1");
        if (n < 2 || double.IsNaN(stdDifference)) return double.NaN;
        int df = n - 1;
        double c = StudentT.InvCDF(0, 1, df, 1 - alpha / 2);
        double Shortfall(double ncp) => NoncentralT.TwoSidedTail(c, df, ncp) - power; // α − power < 0 at ncp = 0, rising
        double hi = 1;
        while (Shortfall(hi) < 0) hi *= 2;
        double ncp = MathNet.Numerics.RootFinding.Brent.FindRoot(Shortfall, hi == 1 ? 0 : hi / 2, hi, 1e-12, 200);
        return ncp * stdDifference / Math.Sqrt(n);
    }

    /// <summary>The two-sided critical value t_{(1+Confidence)/2, df}.</summary>
    public static double TCritical(int df) => StudentT.InvCDF(0, 1, df, (1 + Confidence) / 2);
}
