namespace SemiGan.Reports;

/// <summary>Final test accuracy vs label count (log x), both models, mean with 95% CI error bars.</summary>
public static class LabelSweepChart
{
    public static void Write(IReadOnlyList<VariantSummary> variants, string pngPath, string svgPath, string title)
    {
        ChartFonts.Ensure();
        var plot = new ScottPlot.Plot();
        foreach (var g in variants.GroupBy(v => (v.Method, v.Protocol, v.Head)).OrderBy(g => ChartStyle.Order(g.Key.Method)))
        {
            var pts = g.OrderBy(v => v.Labels).ToList();
            double[] xs = pts.Select(v => Math.Log10(v.Labels)).ToArray();
            double[] ys = pts.Select(v => v.Final.Mean * 100).ToArray();
            double[] err = pts.Select(v => double.IsNaN(v.Final.HalfWidth) ? 0 : v.Final.HalfWidth * 100).ToArray();
            ChartStyle.AddLineWithErrors(plot, xs, ys, err, ChartStyle.MethodColor(g.Key.Method),
                $"{ChartStyle.MethodName(g.Key.Method)} ({g.Key.Protocol}, {g.Key.Head})");
        }
        ChartStyle.LogLabelAxis(plot, variants.Select(v => v.Labels));
        plot.YLabel("Final test accuracy (%)");
        plot.Title(title);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        ChartStyle.Save(plot, pngPath, svgPath);
    }
}
