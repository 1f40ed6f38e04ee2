namespace SemiGan.Reports;

/// <summary>
/// Final test accuracy vs label count (log x): per variant the mean over seeds with 95% CI error bars,
/// series dodged sideways so bars sharing a label count do not overlap.
/// </summary>
public static class LabelSweepChart
{
    public static FigureLayout Write(IReadOnlyList<VariantSummary> variants, string pngPath, string svgPath, string title)
    {
        var plot = ChartStyle.NewPanel();
        var groups = variants.GroupBy(v => (v.Method, v.Protocol, v.Head))
            .OrderBy(g => ChartStyle.Order(g.Key.Method)).ThenBy(g => g.Key.Protocol, StringComparer.Ordinal).ThenBy(g => g.Key.Head, StringComparer.Ordinal).ToList();
        var kinds = groups.Select(g => (g.Key.Protocol, g.Key.Head)).Distinct().ToList();
        var legend = new List<ScottPlot.LegendItem>();
        bool missingBar = false;
        for (int i = 0; i < groups.Count; i++)
        {
            var (method, protocol, head) = groups[i].Key;
            var pts = groups[i].OrderBy(v => v.Labels).ToList();
            double[] xs = pts.Select(v => Math.Log10(v.Labels) + ChartStyle.Dodge(i, groups.Count)).ToArray();
            double[] ys = pts.Select(v => v.Final.Mean * 100).ToArray();
            double[] err = pts.Select(v => double.IsNaN(v.Final.HalfWidth) ? 0 : v.Final.HalfWidth * 100).ToArray();
            missingBar |= pts.Any(v => double.IsNaN(v.Final.HalfWidth));
            var color = ChartStyle.MethodColor(method);
            var pattern = kinds.Count > 1 ? ChartStyle.Pattern(kinds.IndexOf((protocol, head))) : ChartStyle.MethodPattern(method);
            var marker = ChartStyle.MethodMarker(method);
            ChartStyle.AddLineWithErrors(plot, xs, ys, err, color, pattern, marker);
            legend.Add(ChartStyle.LineItem(kinds.Count > 1 ? $"{ChartStyle.MethodName(method)} ({protocol}, {head})" : ChartStyle.MethodName(method), color, pattern, shape: marker));
        }
        ChartStyle.LogLabelAxis(plot, variants.Select(v => v.Labels));
        plot.YLabel("Final test accuracy (%)");
        string caption = "Points: mean final test accuracy over seeds (the run's selected epoch, whole test set); " +
                         "error bars: 95% confidence interval of the mean (Student t), not ±1 std." +
                         (missingBar ? " No bar: fewer than two seeds." : "") +
                         (groups.Count > 1 ? " Series sharing a label count are shifted slightly sideways so their bars do not overlap; each point belongs to the tick below it." : "");
        return new Figure { Title = title, Caption = caption, Panels = [plot], LegendItems = legend }.Save(pngPath, svgPath);
    }
}
