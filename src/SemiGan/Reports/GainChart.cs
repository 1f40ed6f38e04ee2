namespace SemiGan.Reports;

/// <summary>Each method minus the reference method: final accuracy (percentage points) vs label count, with 95% CI bars and a zero line.</summary>
public static class GainChart
{
    public static void Write(IReadOnlyList<GainSummary> gains, string pngPath, string svgPath, string title)
    {
        ChartFonts.Ensure();
        var plot = new ScottPlot.Plot();
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = ScottPlot.Colors.Black;
        zero.LinePattern = ScottPlot.LinePattern.Dashed;
        zero.LineWidth = 1;
        int i = 0;
        foreach (var g in gains.GroupBy(x => (x.Method, x.Reference, x.Protocol, x.Head)))
        {
            var pts = g.OrderBy(x => x.Labels).ToList();
            double[] xs = pts.Select(x => Math.Log10(x.Labels)).ToArray();
            double[] ys = pts.Select(x => x.Final.MeanDifference * 100).ToArray();
            double[] err = pts.Select(x => double.IsNaN(x.Final.CiHigh) ? 0 : (x.Final.CiHigh - x.Final.CiLow) / 2 * 100).ToArray();
            ChartStyle.AddLineWithErrors(plot, xs, ys, err, ScottPlot.Palette.Default.GetColor(2 + i++),
                $"{ChartStyle.MethodName(g.Key.Method)} − {ChartStyle.MethodName(g.Key.Reference)} ({g.Key.Protocol}, {g.Key.Head}), 95% CI");
        }
        ChartStyle.LogLabelAxis(plot, gains.Select(x => x.Labels));
        plot.YLabel("Gain in final test accuracy (percentage points)");
        plot.Title(title);
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        ChartStyle.Save(plot, pngPath, svgPath);
    }
}
