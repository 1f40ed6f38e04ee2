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
