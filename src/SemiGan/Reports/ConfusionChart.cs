using System.Globalization;

namespace SemiGan.Reports;

/// <summary>
/// A confusion matrix, row-normalised (each cell: the share of its true class, %), as a ScottPlot heatmap with a colour bar,
/// its axes labelled with the dataset's class names. The colour scale runs from 0 to the largest error rounded up to a
/// round number, so that errors, not the diagonal, use the colour range; every cell also states its share.
/// The counts may be a mean over seeds (fractional).
/// </summary>
public static class ConfusionChart
{
    public const int Width = 760, Height = 800;
    static readonly double[] Steps = [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The top of the colour scale: the smallest round number (1, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of 10) at or above <paramref name="largestError"/>, at most 100.</summary>
    public static double ScaleTop(double largestError)
    {
        if (largestError <= 0) return 1;
        double decade = Math.Pow(10, Math.Floor(Math.Log10(largestError)));
        return Math.Min(100, Steps.Select(s => s * decade).First(c => c >= largestError * (1 - 1e-12)));
    }

    public static FigureLayout Write(long[,] counts, string pngPath, string svgPath, string title, IReadOnlyList<string>? classNames = null, string? what = null)
    {
        var m = new double[counts.GetLength(0), counts.GetLength(1)];
        for (int t = 0; t < m.GetLength(0); t++)
            for (int p = 0; p < m.GetLength(1); p++) m[t, p] = counts[t, p];
        return Write(m, pngPath, svgPath, title, classNames, what);
    }

    /// <param name="classNames">Label i's name (default: the numbers 0..k-1).</param>
    /// <param name="what">What the counts are, for the caption (default: "one model on the whole test set").</param>
    public static FigureLayout Write(double[,] counts, string pngPath, string svgPath, string title, IReadOnlyList<string>? classNames = null, string? what = null)
    {
        int k = counts.GetLength(0);
        var names = classNames ?? Enumerable.Range(0, k).Select(i => i.ToString(Inv)).ToList();
        var share = new double[k, k]; // percent of the true class
        for (int t = 0; t < k; t++)
        {
            double rowTotal = Enumerable.Range(0, k).Sum(p => counts[t, p]);
            for (int p = 0; p < k; p++) share[t, p] = rowTotal == 0 ? 0 : 100.0 * counts[t, p] / rowTotal;
        }
        double largestError = 0;
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
                if (t != p) largestError = Math.Max(largestError, share[t, p]);
        double cap = ScaleTop(largestError);

        var plot = ChartStyle.NewPanel();
        // Intensities[row, column]: the heatmap centres cell (r, c) on x = c, y = k - 1 - r (row 0 at the top), so true class 0 is the top row.
        var clipped = new double[k, k];
        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++) clipped[t, p] = Math.Min(share[t, p], cap);
        var heatmap = plot.Add.Heatmap(clipped);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        heatmap.ManualRange = new ScottPlot.Range(0, cap);
        var bar = plot.Add.ColorBar(heatmap, ScottPlot.Edge.Right);
        bar.Label = cap < 100 ? $"Share of the true class (%), top of scale {Fmt(cap)}%" : "Share of the true class (%)";
        bar.LabelStyle.FontSize = 14;
        bar.LabelStyle.Bold = false;
        // Three to six ticks a round step apart, the top one marked as the scale's end (every larger share has its colour).
        double step = TickStep(cap);
        int steps = (int)Math.Round(cap / step);
        var barTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i <= steps; i++) barTicks.AddMajor(step * i, i == steps && cap < 100 ? $"≥{Fmt(cap)}" : Fmt(step * i));
        bar.Axis.TickGenerator = barTicks;

        for (int t = 0; t < k; t++)
            for (int p = 0; p < k; p++)
            {
                double v = share[t, p];
                string s = counts[t, p] == 0 ? "0" : v >= 9.95 ? v.ToString("F0", Inv) : v >= 0.05 ? v.ToString("F1", Inv) : "<0.1";
                var text = plot.Add.Text(s, p, RowY(t, k));
                text.Alignment = ScottPlot.Alignment.MiddleCenter;
                text.LabelFontSize = 12;
                text.LabelFontColor = Math.Min(v, cap) / cap > 0.6 ? ScottPlot.Colors.Black : ScottPlot.Colors.White;
            }
        var xTicks = new ScottPlot.TickGenerators.NumericManual();
        var yTicks = new ScottPlot.TickGenerators.NumericManual();
        for (int i = 0; i < k; i++)
        {
            xTicks.AddMajor(i, names[i]);
            yTicks.AddMajor(RowY(i, k), names[i]);
        }
        plot.Axes.Bottom.TickGenerator = xTicks;
        plot.Axes.Left.TickGenerator = yTicks;
        if (names.Any(n => n.Length > 2))
        {
            // Words under the columns would overlap: slant them.
            plot.Axes.Bottom.TickLabelStyle.Rotation = -40;
            plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleRight;
            plot.Axes.Bottom.MinimumSize = 95; // room for the slanted names above the axis label
        }
        plot.Axes.SetLimits(-0.5, k - 0.5, -0.5, k - 0.5);
        plot.XLabel("Predicted class");
        plot.YLabel("True class");
        plot.HideGrid();

        double total = 0;
        foreach (double c in counts) total += c;
        string caption = $"Rows: true classes; each cell: the share (%) of its true class predicted as that column's class (rows sum to 100; {total.ToString("N0", Inv)} test images). " +
                         (cap < 100
                             ? $"Colour: the same share on a scale from 0 to {Fmt(cap)}%, fitted to the largest error ({largestError.ToString("F1", Inv)}%) so that errors are visible; every cell above it, such as the diagonal, has the brightest colour."
                             : "Colour: the same share, 0–100%.") +
                         $" {what ?? "One model on the whole test set"}.";
        return new Figure { Title = title, Caption = caption, Panels = [plot], Width = Width, Height = Height }.Save(pngPath, svgPath);
    }

    /// <summary>The largest round step (1, 2, 2.5 or 5 times a power of 10) that divides <paramref name="cap"/> into 2 to 5 parts.</summary>
    public static double TickStep(double cap)
    {
        foreach (double decade in new[] { 100, 10, 1, 0.1, 0.01 })
            foreach (double m in new[] { 5, 2.5, 2, 1 })
            {
                double step = m * decade, parts = cap / step;
                if (parts >= 2 && parts <= 5 && Math.Abs(parts - Math.Round(parts)) < 1e-9) return step;
            }
        return cap / 4;
    }

    /// <summary>The y coordinate of true class <paramref name="t"/>'s row (row 0 at the top).</summary>
    static double RowY(int t, int k) => k - 1 - t;

    static string Fmt(double v) => v.ToString("0.##", Inv);
}
