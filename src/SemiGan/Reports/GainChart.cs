namespace SemiGan.Reports;

/// <summary>
/// Each method minus its reference method: the mean paired gain in final accuracy (percentage points) vs label count,
/// with 95% CI bars, a zero line, and series dodged sideways where they share a label count.
/// </summary>
public static class GainChart
{
    public static FigureLayout Write(IReadOnlyList<GainSummary> gains, string pngPath, string svgPath, string title)
    {
        var plot = ChartStyle.NewPanel();
        var zero = plot.Add.HorizontalLine(0);
        zero.Color = ScottPlot.Colors.Black;
        zero.LinePattern = ScottPlot.LinePattern.Dashed;
        zero.LineWidth = 1;
        var groups = gains.GroupBy(x => (x.Method, x.Reference, x.Protocol, x.Head)).ToList();
        var kinds = groups.Select(g => (g.Key.Reference, g.Key.Protocol, g.Key.Head)).Distinct().ToList();
        var legend = new List<ScottPlot.LegendItem>();
        bool missingBar = false;
        for (int i = 0; i < groups.Count; i++)
        {
            var (method, reference, protocol, head) = groups[i].Key;
            var pts = groups[i].OrderBy(x => x.Labels).ToList();
            double[] xs = pts.Select(x => Math.Log10(x.Labels) + ChartStyle.Dodge(i, groups.Count)).ToArray();
            double[] ys = pts.Select(x => x.Final.MeanDifference * 100).ToArray();
            double[] err = pts.Select(x => double.IsNaN(x.Final.CiHigh) ? 0 : (x.Final.CiHigh - x.Final.CiLow) / 2 * 100).ToArray();
            missingBar |= pts.Any(x => double.IsNaN(x.Final.CiHigh));
            var color = ChartStyle.MethodColor(method);
            var pattern = kinds.Count > 1 ? ChartStyle.Pattern(kinds.IndexOf((reference, protocol, head))) : ChartStyle.MethodPattern(method);
            var marker = ChartStyle.MethodMarker(method);
            ChartStyle.AddLineWithErrors(plot, xs, ys, err, color, pattern, marker);
            legend.Add(ChartStyle.LineItem($"{ChartStyle.MethodName(method)} − {ChartStyle.MethodName(reference)}" + (kinds.Select(x => (x.Protocol, x.Head)).Distinct().Count() > 1 ? $" ({protocol}, {head})" : ""), color, pattern, shape: marker));
        }
        legend.Add(ChartStyle.LineItem("no gain", ScottPlot.Colors.Black, ScottPlot.LinePattern.Dashed, width: 1, marker: false));
        ChartStyle.LogLabelAxis(plot, gains.Select(x => x.Labels));
        plot.YLabel("Gain in final test accuracy (percentage points)");
        string caption = "Points: mean gain in final test accuracy, method − reference, paired by seed (the same seed: the same labeled images and " +
                         "initial classifier weights); error bars: 95% confidence interval of the mean paired difference (Student t), not ±1 std. " +
                         "Dashed line: no gain." +
                         (missingBar ? " No bar: fewer than two pairs." : "") +
                         (groups.Count > 1 ? " Series sharing a label count are shifted slightly sideways so their bars do not overlap." : "");
        return new Figure { Title = title, Caption = caption, Panels = [plot], LegendItems = legend }.Save(pngPath, svgPath);
    }
}
