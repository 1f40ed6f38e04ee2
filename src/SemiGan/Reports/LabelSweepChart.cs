namespace SemiGan.Reports;

/// <summary>Final test accuracy vs label count (log x), both models, mean with 95% CI error bars.</summary>
public static class LabelSweepChart
{
    public static void Write(IReadOnlyList<VariantSummary> variants, string pngPath, string svgPath, string title)
    {
        ChartFonts.Ensure();
        var plot = new ScottPlot.Plot();
        foreach (var g in variants.GroupBy(v => (v.Model, v.Protocol, v.Head)).OrderByDescending(g => g.Key.Model))
        {
            var pts = g.OrderBy(v => v.Labels).ToList();
            double[] xs = pts.Select(v => Math.Log10(v.Labels)).ToArray();
            double[] ys = pts.Select(v => v.Final.Mean * 100).ToArray();
            double[] err = pts.Select(v => double.IsNaN(v.Final.HalfWidth) ? 0 : v.Final.HalfWidth * 100).ToArray();
            ChartStyle.AddLineWithErrors(plot, xs, ys, err, ChartStyle.ModelColor(g.Key.Model),
                $"{ChartStyle.ModelName(g.Key.Model)} ({g.Key.Protocol}, {g.Key.Head})");
        }
        ChartStyle.LogLabelAxis(plot, variants.Select(v => v.Labels));
        plot.YLabel("Final test accuracy (%)");
        plot.Title(title);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        ChartStyle.Save(plot, pngPath, svgPath);
    }
}
