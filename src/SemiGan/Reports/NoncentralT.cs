using MathNet.Numerics;
using MathNet.Numerics.Distributions;

namespace SemiGan.Reports;

/// <summary>
/// The noncentral t distribution, which MathNet.Numerics lacks: T' = (Z + ncp) / U with Z standard normal and
/// U = sqrt(V/df), V chi-squared on df degrees of freedom, independent of Z. Conditioning on U turns a probability
/// of T' into the expectation of normal CDFs over U, a one-dimensional integral of smooth functions, computed by
/// composite Gauss–Legendre quadrature (a fixed amount of work, no adaptive stopping rule to trust).
/// </summary>
public static class NoncentralT
{
    const int Panels = 64, Order = 20;

    /// <summary>P(T' ≤ t) = E[Φ(t·U − ncp)].</summary>
    public static double CDF(double t, double df, double ncp) =>
        Expectation(u => Phi(t * u - ncp), df, ncp / Math.Abs(t));

    /// <summary>P(|T'| > c), c ≥ 0: the power of a two-sided t-test with critical value c, both tails in one integral
    /// (E[Φ(ncp − c·U) + Φ(−ncp − c·U)]), so a power near 1 loses nothing to 1 − CDF.</summary>
    public static double TwoSidedTail(double c, double df, double ncp) =>
        Expectation(u => Phi(ncp - c * u) + Phi(-ncp - c * u), df, Math.Abs(ncp) / c);

    static double Phi(double x) => Normal.CDF(0, 1, x);

    /// <summary>Density of U = sqrt(V/df): 2 (df/2)^(df/2) u^(df−1) exp(−df·u²/2) / Γ(df/2), in logs so large df do not overflow.</summary>
    static double Density(double u, double df) =>
        u <= 0 ? (df == 1 ? Math.Sqrt(2 / Math.PI) : 0)
            : Math.Exp(Math.Log(2) + df / 2 * Math.Log(df / 2) - SpecialFunctions.GammaLn(df / 2) + (df - 1) * Math.Log(u) - df * u * u / 2);

    /// <summary>E[g(U)] over [0, hi]; beyond hi = 1 + 20/sqrt(2·df) (about 20 of U's standard deviations for large df,
    /// u = 15 for df = 1) the density's mass is far below 1e-40. The panels break at U's mode and where g turns over.</summary>
    static double Expectation(Func<double, double> g, double df, double turn)
    {
        if (!(df >= 1)) throw new ArgumentOutOfRangeException(nameof(df), df, "the quadrature needs df ≥ 1");
        double hi = 1 + 20 / Math.Sqrt(2 * df);
        var breaks = new[] { 0, Math.Sqrt((df - 1) / df), turn, hi }
            .Where(b => b >= 0 && b <= hi && !double.IsNaN(b)).Distinct().Order().ToArray();
        double sum = 0;
        for (int i = 0; i + 1 < breaks.Length; i++)
        {
            double w = (breaks[i + 1] - breaks[i]) / Panels;
            for (int k = 0; k < Panels; k++)
                sum += Integrate.GaussLegendre(u => g(u) * Density(u, df), breaks[i] + k * w, breaks[i] + (k + 1) * w, Order);
        }
        return sum;
    }
}
