using System.Globalization;

namespace SemiGan.Reports;

/// <summary>
/// One gain a report tests, as it prints it: the paired comparison, the rule that chose each run's epoch, and the
/// Holm-adjusted p's over the report's <see cref="Tests"/> paired tests. The report's gain table, its forest plot and
/// gains.csv are all written from these, so they cannot disagree.
/// </summary>
/// <param name="Tests">m of the final test's Holm family.</param>
/// <param name="Family">The final test's Holm family (<see cref="GainFamily"/>); the last-epochs mean test is in the secondary
/// family when the report has a primary one, else in the one family of all tests.</param>
public sealed record GainRow(GainSummary Gain, string Select, double HolmFinal, double HolmLastMean, int Tests, string Family = GainFamily.All);

/// <summary>
/// A report's Holm families: "all" (no experiment declares primary comparisons: every paired test in one family), or
/// "primary" (the declared comparisons' final tests) and "secondary" (every other test), each adjusted on its own.
/// </summary>
public static class GainFamily
{
    public const string All = "all", Primary = "primary", Secondary = "secondary";
}

/// <summary>
/// The report's headline figure: a forest plot of gains, one row per comparison (experiment, label count,
/// method − reference), the mean paired gain in final accuracy with its 95% CI as whiskers, and a zero line.
/// Which rows it shows is the caller's choice (every gain of the report, or a declared primary family).
/// </summary>
public static class ForestChart
{
    public const int Width = 1200;
    const int RowHeight = 30;
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>A row's label: "claim-1000, 1000 labels: SGAN − Supervised (full labeled batches)", with protocol and head where the experiment mixes them.</summary>
    public static string Label(GainSummary g, bool withKind) =>
        $"{g.Experiment}, {g.Labels} labels: {ChartStyle.MethodName(g.Method)} − {ChartStyle.MethodName(g.Reference)}" + (withKind ? $" ({g.Protocol}, {g.Head})" : "");

    /// <summary>A row's numbers, right of the plot: "+3.65 [+2.10, +5.20], Holm p 0.0020".</summary>
    public static string Numbers(GainRow r) =>
        double.IsNaN(r.Gain.Final.CiLow) ? $"{Pp(r.Gain.Final.MeanDifference)} (one pair: no CI)"
            : $"{Pp(r.Gain.Final.MeanDifference)} [{Pp(r.Gain.Final.CiLow)}, {Pp(r.Gain.Final.CiHigh)}], Holm p {P(r.HolmFinal)}";

    public static FigureLayout Write(IReadOnlyList<GainRow> rows, string pngPath, string svgPath, string title)
    {
        if (rows.Count == 0) throw new ArgumentException("a forest plot needs at least one gain", nameof(rows));
        var plot = ChartStyle.NewPanel();
        int n = rows.Count;
        var kindsPerExperiment = rows.GroupBy(r => r.Gain.Experiment).ToDictionary(g => g.Key, g => g.Select(r => (r.Gain.Protocol, r.Gain.Head)).Distinct().Count());
        var left = new ScottPlot.TickGenerators.NumericManual();
        var right = new ScottPlot.TickGenerators.NumericManual();
        bool missingBar = false;
        for (int i = 0; i < n; i++)
        {
            var g = rows[i].Gain;
            double y = n - 1 - i; // the first row on top
            double mean = g.Final.MeanDifference * 100;
            var color = ChartStyle.MethodColor(g.Method);
            if (!double.IsNaN(g.Final.CiLow))
            {
                // Horizontal whiskers only: no y errors.
                var bar = new ScottPlot.Plottables.ErrorBar([mean], [y], [g.Final.CiHigh * 100 - mean], [mean - g.Final.CiLow * 100], null, null);
                plot.Add.Plottable(bar);
                bar.Color = color;
                bar.LineWidth = 2;
                bar.CapSize = 8;
            }
            else missingBar = true;
            var point = plot.Add.Scatter(new[] { mean }, new[] { y });
            point.Color = color;
            point.LineWidth = 0;
            point.MarkerSize = 11;
            point.MarkerShape = ChartStyle.MethodMarker(g.Method);
            left.AddMajor(y, Label(g, kindsPerExperiment[g.Experiment] > 1));
            right.AddMajor(y, Numbers(rows[i]));
        }
        var zero = plot.Add.VerticalLine(0);
        zero.Color = ScottPlot.Colors.Black;
        zero.LinePattern = ScottPlot.LinePattern.Dashed;
        zero.LineWidth = 1;

        plot.Axes.Left.TickGenerator = left;
        plot.Axes.Right.TickGenerator = right;
        plot.Axes.Left.TickLabelStyle.FontSize = 13;
        plot.Axes.Right.TickLabelStyle.FontSize = 13;
        plot.Axes.SetLimitsY(-0.6, n - 0.4, plot.Axes.Left);
        plot.Axes.SetLimitsY(-0.6, n - 0.4, plot.Axes.Right);
        double lo = rows.Min(r => double.IsNaN(r.Gain.Final.CiLow) ? r.Gain.Final.MeanDifference : r.Gain.Final.CiLow) * 100;
        double hi = rows.Max(r => double.IsNaN(r.Gain.Final.CiHigh) ? r.Gain.Final.MeanDifference : r.Gain.Final.CiHigh) * 100;
        lo = Math.Min(lo, 0); hi = Math.Max(hi, 0);
        double pad = Math.Max(0.5, (hi - lo) * 0.04);
        plot.Axes.SetLimitsX(lo - pad, hi + pad);
        plot.XLabel("Gain in final test accuracy, method − reference (percentage points)");
        plot.Axes.Left.MinorTickStyle.Length = 0;
        plot.Axes.Right.MinorTickStyle.Length = 0;
        plot.Grid.YAxisStyle.MajorLineStyle.Width = 0; // row lines would cross the labels' meaning; the x grid stays

        var rules = rows.Select(r => r.Select).Distinct().ToList();
        string caption = "Each row: one paired comparison the report tests (experiment, labeled training images, method − reference). " +
                         "Marker: the mean gain in final test accuracy over seeds, paired by seed (the same labeled images and initial classifier weights); " +
                         "whiskers: its 95% confidence interval (Student t), not ±1 std. Dashed line: no gain. " +
                         $"Final accuracy is at each run's selected epoch ({string.Join(" or ", rules.Select(r => r == Config.SelectRule.BestValidation ? "highest validation accuracy" : "the last epoch"))}, as each experiment's section of the report says). " +
                         $"Right: mean [95% CI] and {HolmText(rows)}. Colour and marker: the method, as in every chart." +
                         (missingBar ? " No whiskers: a single pair." : "");
        var figure = new Figure
        {
            Title = title, Caption = caption, Panels = [plot], Width = Width,
            Height = 170 + n * RowHeight,
        };
        return figure.Save(pngPath, svgPath);
    }

    /// <summary>What the right column's Holm p is adjusted over: the report's one family, or each row's.</summary>
    static string HolmText(IReadOnlyList<GainRow> rows)
    {
        var families = rows.GroupBy(r => r.Family).Select(g => (Family: g.Key, g.First().Tests)).ToList();
        if (families is [{ Family: GainFamily.All } one]) return $"the Holm-adjusted p over all m = {one.Tests} paired tests of the report";
        if (families is [{ Family: GainFamily.Primary } primary]) return $"the Holm-adjusted p within the declared primary family (m = {primary.Tests} paired tests)";
        return "the Holm-adjusted p within each row's family (" + string.Join(", ", families.Select(f => $"{f.Family}: m = {f.Tests}")) + ")";
    }

    static string Pp(double v) => double.IsNaN(v) ? "–" : (v * 100).ToString("+0.00;−0.00;0.00", Inv);
    static string P(double p) => double.IsNaN(p) ? "–" : p < 1e-4 ? p.ToString("0.0E+0", Inv) : p.ToString("F4", Inv);
}
