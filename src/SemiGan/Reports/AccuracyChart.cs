using SemiGan.Results;

namespace SemiGan.Reports;

/// <summary>Test accuracy vs epoch: per model (and head/protocol when mixed) the mean across seeds with a ±1 std band.</summary>
public static class AccuracyChart
{
    static readonly ScottPlot.Color[] Palette = [ScottPlot.Colors.C0, ScottPlot.Colors.C1, ScottPlot.Colors.C2, ScottPlot.Colors.C3];

    public static void Write(IReadOnlyList<EpochRecord> rows, string pngPath, string svgPath, string title)
    {
        ChartFonts.Ensure();
        var plot = new ScottPlot.Plot();
        bool mixed = rows.Select(r => (r.Head, r.Protocol)).Distinct().Count() > 1;
        int colour = 0;
        foreach (var series in rows.GroupBy(r => (r.Method, r.Head, r.Protocol)).OrderBy(g => ChartStyle.Order(g.Key.Method)))
        {
            var byEpoch = series.GroupBy(r => r.Epoch).OrderBy(g => g.Key).ToList();
            double[] xs = byEpoch.Select(g => (double)g.Key).ToArray();
            double[] mean = byEpoch.Select(g => g.Average(r => r.TestAccuracy) * 100).ToArray();
            double[] std = byEpoch.Select(g => SampleStd(g.Select(r => r.TestAccuracy * 100).ToArray())).ToArray();
            int seeds = series.Select(r => r.Seed).Distinct().Count();
            var color = Palette[colour++ % Palette.Length];

            if (seeds > 1)
            {
                var band = plot.Add.FillY(xs, mean.Zip(std, (m, s) => m - s).ToArray(), mean.Zip(std, (m, s) => m + s).ToArray());
                band.FillColor = color.WithAlpha(0.2);
                band.LineWidth = 0;
            }
            var line = plot.Add.Scatter(xs, mean);
            line.Color = color;
            line.LineWidth = 2;
            line.MarkerSize = 6;
            string name = ChartStyle.MethodName(series.Key.Method);
            line.LegendText = (mixed ? $"{name} ({series.Key.Head}, {series.Key.Protocol})" : name) + $" (n={seeds})";
        }
        plot.Title(title);
        plot.XLabel("Epoch");
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
        plot.YLabel("Test accuracy (%)");
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        ChartStyle.Save(plot, pngPath, svgPath);
    }

    static double SampleStd(double[] v) =>
        v.Length < 2 ? 0 : MathNet.Numerics.Statistics.Statistics.StandardDeviation(v);
}
