using SemiGan.Reports;

namespace SemiGan.Tests;

/// <summary>
/// Statistics against values computed independently: closed forms of Student's t for 1 and 2 degrees
/// of freedom (df=1: P(|T|>t) = 1 - 2 atan(t)/pi; df=2: P(|T|>t) = 1 - t/sqrt(t^2+2), quantile
/// (2q-1)/sqrt(2q(1-q))), and a textbook example (Student's sleep data, as in R's t.test).
/// </summary>
public class StatisticsTests
{
    const double Tol = 1e-6;

    [Fact]
    public void Paired_test_with_two_degrees_of_freedom_matches_closed_form()
    {
        double[] a = [0.91, 0.95, 0.92];
        double[] b = [0.90, 0.92, 0.92];
        // differences 0.01, 0.03, 0.00: mean 0.04/3, sample sd sqrt(sum (d - m)^2 / 2)
        double m = 0.04 / 3;
        double sd = Math.Sqrt((Math.Pow(0.01 - m, 2) + Math.Pow(0.03 - m, 2) + Math.Pow(0.0 - m, 2)) / 2);
        double t = m / (sd / Math.Sqrt(3));
        double p = 1 - t / Math.Sqrt(t * t + 2);
        double tCrit = (2 * 0.975 - 1) / Math.Sqrt(2 * 0.975 * 0.025);

        var r = Statistics.Paired(a, b);

        Assert.Equal(3, r.N);
        Assert.Equal(2, r.DegreesOfFreedom);
        Assert.Equal(m, r.MeanDifference, Tol);
        Assert.Equal(sd, r.StdDifference, Tol);
        Assert.Equal(t, r.T, Tol);
        Assert.Equal(p, r.P, Tol);
        Assert.Equal(m - tCrit * sd / Math.Sqrt(3), r.CiLow, Tol);
        Assert.Equal(m + tCrit * sd / Math.Sqrt(3), r.CiHigh, Tol);
        Assert.Equal(4.302652729911275, tCrit, 9); // the textbook table value 4.303
    }

    [Fact]
    public void Two_values_use_the_cauchy_closed_form()
    {
        var r = Statistics.Paired([3.0, 5.0], [1.0, 2.0]); // differences 2, 3
        double t = 2.5 / (Math.Sqrt(0.5) / Math.Sqrt(2));
        Assert.Equal(t, r.T, Tol);
        Assert.Equal(1 - 2 * Math.Atan(t) / Math.PI, r.P, Tol);
        double tCrit = Math.Tan(Math.PI * (0.975 - 0.5)); // Cauchy quantile: 12.706...
        Assert.Equal(2.5 - tCrit * 0.5, r.CiLow, Tol);
    }

    [Fact]
    public void Sleep_data_matches_the_textbook_paired_t_test()
    {
        // Cushny & Peebles' sleep data; R: t.test(extra ~ group, data = sleep, paired = TRUE)
        // gives t = -4.0621, df = 9, p-value = 0.002833, 95% CI -2.4598858 .. -0.7001142.
        double[] g1 = [0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0];
        double[] g2 = [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4];
        var r = Statistics.Paired(g1, g2);
        Assert.Equal(9, r.DegreesOfFreedom);
        Assert.Equal(-1.58, r.MeanDifference, Tol);
        Assert.Equal(-4.0621, r.T, 4);
        Assert.Equal(0.002833, r.P, 6);
        Assert.Equal(-2.4598858, r.CiLow, Tol);
        Assert.Equal(-0.7001142, r.CiHigh, Tol);
    }

    [Fact]
    public void Holm_matches_a_worked_example_including_the_monotonicity_step()
    {
        // p = 0.01, 0.04, 0.03, 0.005, m = 4. Sorted: 0.005, 0.01, 0.03, 0.04, multiplied by 4, 3, 2, 1:
        // 0.02, 0.03, 0.06, 0.04. The last falls below its predecessor, so the running maximum lifts it to 0.06.
        // Back in input order: 0.03, 0.06, 0.06, 0.02.
        AssertAll([0.03, 0.06, 0.06, 0.02], Statistics.Holm([0.01, 0.04, 0.03, 0.005]));
    }

    [Fact]
    public void Holm_gives_ties_one_value_skips_nan_and_caps_at_one()
    {
        // NaN is not a test: m = 4, not 5. Sorted 0.02, 0.02, 0.3, 0.5 times 4, 3, 2, 1: 0.08, 0.06, 0.6, 0.5;
        // running maximum 0.08, 0.08, 0.6, 0.6 — the tied p's get the same adjusted value whichever comes first.
        AssertAll([0.08, double.NaN, 0.08, 0.6, 0.6], Statistics.Holm([0.02, double.NaN, 0.02, 0.5, 0.3]));
        // 0.6·2 = 1.2 is capped at 1, and the running maximum carries the cap to 0.7·1.
        AssertAll([1.0, 1.0], Statistics.Holm([0.6, 0.7]));
        AssertAll([0.2], Statistics.Holm([0.2])); // one test: nothing to adjust
        AssertAll([double.NaN], Statistics.Holm([double.NaN]));
        Assert.Empty(Statistics.Holm([]));
    }

    [Fact]
    public void F_test_matches_closed_forms_of_the_F_distribution()
    {
        // a = 1, 2, 3 (variance 1) and b = 1, 3, 5 (variance 4): F = 0.25 on (2, 2) df. F(2, 2) is the ratio of two
        // independent Exp(1) variables, whose CDF is x / (1 + x): CDF(0.25) = 0.2, p = 2·min(0.2, 0.8) = 0.4.
        var r = Statistics.VarianceRatio([1.0, 2, 3], [1.0, 3, 5]);
        Assert.Equal((0.25, 2, 2), (r.Statistic, r.Df1, r.Df2));
        Assert.Equal(0.4, r.P, 12);
        Assert.Equal(0.4, Statistics.VarianceRatio([1.0, 3, 5], [1.0, 2, 3]).P, 12); // F = 4, CDF 0.8: two-sided is symmetric

        // a = 0, 1, 5 (variance 14/2 = 7) and b = 2, 4 (variance 2): F = 3.5 on (2, 1) df. F(2, 1) has
        // CDF(x) = I_{2x/(2x+1)}(1, 1/2) = 1 − 1/sqrt(2x + 1) = 1 − 1/sqrt(8), above 1/2, so p = 2/sqrt(8).
        r = Statistics.VarianceRatio([0.0, 1, 5], [2.0, 4]);
        Assert.Equal((3.5, 2, 1), (r.Statistic, r.Df1, r.Df2));
        Assert.Equal(2 / Math.Sqrt(8), r.P, 12);

        Assert.Equal(0, Statistics.VarianceRatio([1.0, 2, 3], [5.0, 5, 5]).P); // F infinite
        Assert.True(double.IsNaN(Statistics.VarianceRatio([5.0, 5, 5], [5.0, 5, 5]).P)); // 0/0
        Assert.True(double.IsNaN(Statistics.VarianceRatio([1.0], [1.0, 2]).P));
    }

    [Fact]
    public void Brown_Forsythe_matches_a_hand_computed_anova_on_absolute_deviations_from_the_median()
    {
        // a = 1, 2, 3: median 2, z = 1, 0, 1 (mean 2/3); b = 1, 3, 5: median 3, z = 2, 0, 2 (mean 4/3); grand mean 1.
        // Between: 3·(1/3)² + 3·(1/3)² = 2/3 on 1 df. Within: (1/9 + 4/9 + 1/9) + (4/9 + 16/9 + 4/9) = 10/3 on 4 df.
        // F = (2/3) / (10/12) = 0.8 on (1, 4). F(1, 4) is T² with T ~ t_4, whose CDF is 1/2 + t(t² + 6) / (2(t² + 4)^(3/2)),
        // so p = P(|T| > sqrt(0.8)) = 1 − t(t² + 6)/(t² + 4)^(3/2) at t² = 0.8.
        var r = Statistics.BrownForsythe([1.0, 2, 3], [1.0, 3, 5]);
        Assert.Equal((1, 4), (r.Df1, r.Df2));
        Assert.Equal(0.8, r.Statistic, 12);
        Assert.Equal(1 - Math.Sqrt(0.8) * 6.8 / Math.Pow(4.8, 1.5), r.P, 12);

        // Median, not mean: a = 0, 1, 5 has median 1 (mean 2), z = 1, 0, 4 (mean 5/3); b = 2, 4: median 3, z = 1, 1 (mean 1).
        // Grand mean 7/5. Between: 3·(4/15)² + 2·(2/5)² = 8/15. Within: 4/9 + 25/9 + 49/9 + 0 = 26/3 on 3 df.
        // F = (8/15) / (26/9) = 12/65 on (1, 3); with t_3's CDF 1/2 + (t/(sqrt3 (1 + t²/3)) + atan(t/sqrt3))/pi,
        // p = 1 − (2/pi)(t/(sqrt3 (1 + t²/3)) + atan(t/sqrt3)) at t² = 12/65.
        r = Statistics.BrownForsythe([0.0, 1, 5], [2.0, 4]);
        Assert.Equal((1, 3), (r.Df1, r.Df2));
        Assert.Equal(12.0 / 65, r.Statistic, 12);
        double t = Math.Sqrt(12.0 / 65);
        Assert.Equal(1 - 2 / Math.PI * (t / (Math.Sqrt(3) * (1 + t * t / 3)) + Math.Atan(t / Math.Sqrt(3))), r.P, 12);

        // Two values per sample: both deviations equal half the range, no within-sample variation, no test.
        Assert.True(double.IsNaN(Statistics.BrownForsythe([1.0, 2], [1.0, 5]).P));
        // Also for values whose midpoint rounds (accuracies): computed as x − median, the two deviations
        // differ in the last bit and the rounding noise alone would give an F of ~1e30 and p = 0.
        foreach (var (a, b) in new[] { (0.9571, 0.9634), (0.9627, 0.9583), (0.1, 0.7), (0.9351, 0.9347) })
            Assert.True(double.IsNaN(Statistics.BrownForsythe([a, b], [0.9412, 0.9243]).P), $"{a}, {b}");
    }

    static double Phi(double x) => MathNet.Numerics.Distributions.Normal.CDF(0, 1, x);

    /// <summary>
    /// Noncentral t CDF for df = 2 in closed form. With 2 df, U² = V/2 ~ Exp(1), so U has density 2u·exp(−u²) and
    /// P(T' ≤ t) = ∫ Φ(tu − δ) 2u e^(−u²) du. Integrating by parts: Φ(−δ) + t ∫ φ(tu − δ) e^(−u²) du; completing the square,
    /// (tu − δ)² + 2u² = (t² + 2)(u − tδ/(t² + 2))² + 2δ²/(t² + 2), so the integral over u ≥ 0 is
    /// exp(−δ²/(t² + 2)) Φ(tδ/sqrt(t² + 2)) / sqrt(t² + 2). At δ = 0 this is 1/2 + t/(2 sqrt(t² + 2)), Student's t_2.
    /// </summary>
    static double NoncentralCdfDf2(double t, double d) =>
        Phi(-d) + t / Math.Sqrt(t * t + 2) * Math.Exp(-d * d / (t * t + 2)) * Phi(t * d / Math.Sqrt(t * t + 2));

    [Fact]
    public void Noncentral_t_matches_the_closed_form_for_two_degrees_of_freedom()
    {
        Assert.Equal(0.5 + 1 / (2 * Math.Sqrt(3)), NoncentralCdfDf2(1, 0), 15); // the closed form's own δ = 0 check
        foreach (double d in new[] { 0, 0.5, 2, 6.5, -1.5 })
            foreach (double t in new[] { -5, -1.3, 0, 0.7, 2, 4.302652729911275, 12 })
                Assert.Equal(NoncentralCdfDf2(t, d), NoncentralT.CDF(t, 2, d), 12);
    }

    [Fact]
    public void Noncentral_t_reduces_to_student_t_at_zero_noncentrality_and_to_the_normal_at_zero()
    {
        foreach (int df in new[] { 1, 3, 7, 30 })
            foreach (double t in new[] { -4, -1, 0.3, 2.5, 9 })
                Assert.Equal(MathNet.Numerics.Distributions.StudentT.CDF(0, 1, df, t), NoncentralT.CDF(t, df, 0), 11);
        // P(T' ≤ 0) = P(Z + δ ≤ 0) = Φ(−δ) whatever U is.
        foreach (int df in new[] { 1, 5, 40 })
            foreach (double d in new[] { -2, 0.4, 3 })
                Assert.Equal(Phi(-d), NoncentralT.CDF(0, df, d), 12);
        // The two-sided tail is 1 − CDF(c) + CDF(−c).
        Assert.Equal(1 - NoncentralT.CDF(3.1, 6, 2.2) + NoncentralT.CDF(-3.1, 6, 2.2), NoncentralT.TwoSidedTail(3.1, 6, 2.2), 12);
    }

    [Fact]
    public void Noncentral_t_agrees_with_a_monte_carlo_of_its_definition()
    {
        // T' = (Z + δ) / sqrt(V/4), V ~ chi-squared(4), drawn 400,000 times with a fixed seed. Each estimated
        // probability is a binomial proportion: allow 4.5 of its standard errors sqrt(p(1 − p)/N) (two-sided 7e-6).
        const int N = 400_000;
        const double df = 4, d = 1.5;
        var rng = new Random(20240611);
        var draws = new double[N];
        for (int i = 0; i < N; i++)
            draws[i] = (MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1) + d) / Math.Sqrt(MathNet.Numerics.Distributions.ChiSquared.Sample(rng, df) / df);
        foreach (double t in new[] { -0.5, 0.8, 2, 4 })
        {
            double p = NoncentralT.CDF(t, df, d);
            double estimate = draws.Count(x => x <= t) / (double)N;
            Assert.InRange(estimate, p - 4.5 * Math.Sqrt(p * (1 - p) / N), p + 4.5 * Math.Sqrt(p * (1 - p) / N));
        }
    }

    [Fact]
    public void Smallest_detectable_gain_has_80_percent_power_by_the_closed_form_and_by_simulation()
    {
        // n = 3 pairs (df 2): at the returned δ (std 1), P(|T'| > t_{0.975, 2}) with ncp δ·sqrt(3) is 0.8 by the closed form.
        double c = 4.302652729911275, delta = Statistics.SmallestDetectableGain(3, 1.0);
        double ncp = delta * Math.Sqrt(3);
        Assert.Equal(0.8, 1 - NoncentralCdfDf2(c, ncp) + NoncentralCdfDf2(-c, ncp), 9);
        Assert.Equal(2 * delta, Statistics.SmallestDetectableGain(3, 2.0), 9); // δ scales with the std
        Assert.True(double.IsNaN(Statistics.SmallestDetectableGain(1, 1.0)));

        // The whole definition, by simulation: 5 paired differences ~ N(δ, 1) per experiment, the report's own paired t-test
        // at p < 0.05, 100,000 experiments (fixed seed). The rejection rate is binomial: 4.5 standard errors sqrt(0.8·0.2/N).
        const int N = 100_000;
        delta = Statistics.SmallestDetectableGain(5, 1.0);
        var rng = new Random(7);
        var zeros = new double[5];
        int rejected = 0;
        for (int i = 0; i < N; i++)
        {
            var diffs = new double[5];
            for (int k = 0; k < 5; k++) diffs[k] = delta + MathNet.Numerics.Distributions.Normal.Sample(rng, 0, 1);
            if (Statistics.Paired(diffs, zeros).P < 0.05) rejected++;
        }
        double se = Math.Sqrt(0.8 * 0.2 / N);
        Assert.InRange(rejected / (double)N, 0.8 - 4.5 * se, 0.8 + 4.5 * se);
    }

    static void AssertAll(double[] expected, double[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
            if (double.IsNaN(expected[i])) Assert.True(double.IsNaN(actual[i]), $"[{i}] = {actual[i]}, expected NaN");
            else Assert.Equal(expected[i], actual[i], 12);
    }

    [Fact]
    public void Summary_of_one_value_has_no_spread_and_of_none_is_empty()
    {
        var one = Statistics.Summarize([0.5]);
        Assert.Equal(1, one.N);
        Assert.Equal(0.5, one.Mean);
        Assert.True(double.IsNaN(one.Std) && double.IsNaN(one.CiLow));
        Assert.Equal(0, Statistics.Summarize([]).N);
    }
}
