namespace SemiGan.Reports;

/// <summary>A 10x10 confusion matrix as a heatmap (row-normalised colour, counts written in the cells).</summary>
public static class ConfusionChart
{
    public static void Write(long[,] counts, string pngPath, string svgPath, string title)
    {
        int k = counts.GetLength(0);
        var share = new double[k, k];
        for (int t = 0; t < k; t++)
        {
            double rowTotal = Enumerable.Range(0, k).Sum(p => (double)counts[t, p]);
            for (int p = 0; p < k; p++) share[t, p] = rowTotal == 0 ? 0 : counts[t, p] / rowTotal;
        }
        ChartFonts.Ensure();
        var plot = new ScottPlot.Plot();
        // One filled rectangle per cell (exact placement; the y axis is inverted below so class 0 is the top row).
        var colormap = new ScottPlot.Colormaps.Viridis();
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                var cell = plot.Add.Rectangle(p - 0.5, p + 0.5, t - 0.5, t + 0.5);
                cell.FillColor = colormap.GetColor(share[t, p]);
                cell.LineWidth = 0;
            }
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                var text = plot.Add.Text(counts[t, p].ToString(System.Globalization.CultureInfo.InvariantCulture), p, t);
                text.Alignment = ScottPlot.Alignment.MiddleCenter;
                text.LabelFontSize = 11;
                text.LabelFontColor = share[t, p] > 0.5 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
            }
        ScottPlot.TickGenerators.NumericManual ClassTicks()
        {
            var ticks = new ScottPlot.TickGenerators.NumericManual();
            for (int i = 0; i < k; i++) ticks.AddMajor(i, i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return ticks;
        }
        plot.Axes.Bottom.TickGenerator = ClassTicks();
        plot.Axes.Left.TickGenerator = ClassTicks();
        plot.Axes.SetLimits(-0.5, k - 0.5, k - 0.5, -0.5);
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        plot.Title(title + "\n(colour: share of the true class)");
        foreach (var p in new[] { pngPath, svgPath }) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(p))!);
        plot.SavePng(pngPath, 720, 620);
        plot.SaveSvg(svgPath, 720, 620);
    }
}
