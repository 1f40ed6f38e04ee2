using System.Globalization;

namespace SemiGan.Reports;

/// <summary>
/// A confusion matrix, row-normalised (each cell: the share of its true class, %), as a ScottPlot heatmap with a colour bar.
/// The colour scale is clipped at the largest error (rounded up) so that errors, not the diagonal, use the colour range;
/// every cell also states its share.
/// </summary>
public static class ConfusionChart
{
    public const int Width = 760, Height = 760;
    static readonly double[] Caps = [1, 2, 5, 10, 20, 50, 100];

    public static FigureLayout Write(long[,] counts, string pngPath, string svgPath, string title)
    {
        int k = counts.GetLength(0);
        var share = new double[k, k]; // percent of the true class
        for (int t = 0; t < k; t++)
        {
            double rowTotal = Enumerable.Range(0, k).Sum(p => (double)counts[t, p]);
            for (int p = 0; p < k; p++) share[t, p] = rowTotal == 0 ? 0 : 100.0 * counts[t, p] / rowTotal;
        }
        double largestError = 0;
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
                if (t != p) largestError = Math.Max(largestError, share[t, p]);
        double cap = Caps.First(c => c >= largestError || c == 100);

        var plot = ChartStyle.NewPanel();
        // Intensities[row, column]: the heatmap centres cell (r, c) on x = c, y = k - 1 - r (row 0 at the top), so true class 0 is the top row.
        var clipped = new double[k, k];
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++) clipped[t, p] = Math.Min(share[t, p], cap);
        var heatmap = plot.Add.Heatmap(clipped);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, cap);
        var bar = plot.Add.ColorBar(heatmap, ScottPlot.Edge.Right);
        bar.Label = cap < 100 ? $"Share of the true class (%), clipped at {Fmt(cap)}%" : "Share of the true class (%)";
        bar.LabelStyle.FontSize = 14;
        bar.LabelStyle.Bold = false;

        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                double v = share[t, p];
                string s = counts[t, p] == 0 ? "0" : v >= 9.95 ? v.ToString("F0", CultureInfo.InvariantCulture)
                    : v >= 0.05 ? v.ToString("F1", CultureInfo.InvariantCulture) : "<0.1";
                var text = plot.Add.Text(s, p, RowY(t, k));
                text.Alignment = ScottPlot.Alignment.MiddleCenter;
                text.LabelFontSize = 12;
                text.LabelFontColor = Math.Min(v, cap) / cap > 0.6 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
            }
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < k; i++)
        {
            xTicks.AddMajor(i, i.ToString(CultureInfo.InvariantCulture));
            yTicks.AddMajor(RowY(i, k), i.ToString(CultureInfo.InvariantCulture));
        }
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        plot.HideGrid();

        long total = 0;
        foreach (long c in counts) total += c;
        string caption = $"Rows: true classes; each cell: the share (%) of its true class predicted as that column's class (rows sum to 100; {total:N0} test images). " +
                         (cap < 100
                             ? $"Colour: the same share, clipped at {Fmt(cap)}% (the largest error is {largestError.ToString("F1", CultureInfo.InvariantCulture)}%) so that errors are visible; every cell above it, such as the diagonal, has the brightest colour."
                             : "Colour: the same share, 0–100%.") +
                         " No bands or bars: one model on the whole test set.";
        return new Figure { Title = title, Caption = caption, Panels = [plot], Width = Width, Height = Height }.Save(pngPath, svgPath);
    }

    /// <summary>The y coordinate of true class <paramref name="t"/>'s row (row 0 at the top).</summary>
    static double RowY(int t, int k) => k - 1 - t;

    static string Fmt(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);
}
