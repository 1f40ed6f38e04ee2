namespace SemiGan.Reports;

/// <summary>
/// Shared look of the report charts: size, a colour per method and a line pattern per (protocol, head),
/// legend entries, horizontally dodged error bars and the log-scaled label-count axis.
/// </summary>
public static class ChartStyle
{
    /// <summary>A single-panel figure's size in logical pixels (the SVG's); its PNG is <see cref="Figure.Scale"/> times larger.</summary>
    public const int Width = 900, Height = 560;

    /// <summary>Horizontal distance (in log10 of the label count) between neighbouring series that share a label count.</summary>
    public const double DodgeStep = 0.04;

    static readonly Dictionary<string, string> variantNames = [];
    static readonly List<string> variants = [];

    /// <summary>Display names of an experiment's variants (methods under names of their own), from its config.json.</summary>
    public static void Know(Config.ExperimentConfig config)
    {
        foreach (var m in config.Methods.Where(m => Methods.MethodRegistry.Find(m) is null))
        {
            variantNames[m] = config.DisplayName(m);
            if (!variants.Contains(m)) variants.Add(m);
        }
    }

    /// <summary>A method's colour: its place in the registry (variants after the registry's), so it keeps its colour in every chart.</summary>
    public static ScottPlot.Color MethodColor(string method) => ScottPlot.Palette.Default.GetColor(Order(method));

    /// <summary>Legend order: the registry's, then variants in the order first seen.</summary>
    public static int Order(string method) =>
        Methods.MethodRegistry.Find(method) is not null ? Methods.MethodRegistry.Order(method)
        : variants.IndexOf(method) is >= 0 and var i ? Methods.MethodRegistry.All.Count + i : Methods.MethodRegistry.All.Count + variants.Count;

    public static string MethodName(string method) => variantNames.GetValueOrDefault(method) ?? Methods.MethodRegistry.DisplayName(method);

    /// <summary>The line pattern of the <paramref name="index"/>-th (protocol, head) combination of a chart: solid for the first.</summary>
    public static ScottPlot.LinePattern Pattern(int index) => (index % 4) switch
    {
        0 => ScottPlot.LinePattern.Solid,
        1 => ScottPlot.LinePattern.Dashed,
        2 => ScottPlot.LinePattern.Dotted,
        _ => ScottPlot.LinePattern.DenselyDashed,
    };

    /// <summary>The x offset of series <paramref name="index"/> of <paramref name="count"/> sharing an x: centred on 0, <see cref="DodgeStep"/> apart.</summary>
    public static double Dodge(int index, int count) => (index - (count - 1) / 2.0) * DodgeStep;

    /// <summary>Label counts are plotted at log10(n) with ticks at the counts themselves (ScottPlot has no log axis type).</summary>
    public static void LogLabelAxis(ScottPlot.Plot plot, IEnumerable<int> labelCounts)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        var counts = labelCounts.Distinct().Order().ToList();
        foreach (int n in counts) ticks.AddMajor(Math.Log10(n), n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.XLabel("Labeled training images (log scale)");
        // Room for the dodged points at both ends.
        double lo = Math.Log10(counts[0]), hi = Math.Log10(counts[^1]), pad = Math.Max(0.08, (hi - lo) * 0.05);
        plot.Axes.SetLimitsX(lo - pad, hi + pad);
    }

    /// <summary>A line with markers through (xs, ys) and symmetric error bars of the same colour.</summary>
    public static void AddLineWithErrors(ScottPlot.Plot plot, double[] xs, double[] ys, double[] errors, ScottPlot.Color color, ScottPlot.LinePattern pattern)
    {
        var bars = plot.Add.ErrorBar(xs, ys, errors);
        bars.Color = color;
        bars.LineWidth = 1.5f;
        var line = plot.Add.Scatter(xs, ys);
        line.Color = color;
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.MarkerSize = 7;
    }

    /// <summary>A legend entry for a line (with a marker when <paramref name="marker"/>).</summary>
    public static ScottPlot.LegendItem LineItem(string label, ScottPlot.Color color, ScottPlot.LinePattern pattern, float width = 2, bool marker = true) => new()
    {
        LabelText = label,
        LineColor = color,
        LineWidth = width,
        LinePattern = pattern,
        MarkerShape = marker ? ScottPlot.MarkerShape.FilledCircle : ScottPlot.MarkerShape.None,
        MarkerSize = marker ? 7 : 0,
        MarkerFillColor = color,
        MarkerLineColor = color,
    };

    /// <summary>A legend entry for a shaded band.</summary>
    public static ScottPlot.LegendItem BandItem(string label, ScottPlot.Color color) => new()
    {
        LabelText = label,
        FillColor = color,
        LineWidth = 0,
    };

    /// <summary>A new panel: the bundled font, integer epochs where asked.</summary>
    public static ScottPlot.Plot NewPanel()
    {
        ChartFonts.Ensure();
        return new ScottPlot.Plot();
    }

    /// <summary>A panel's title, smaller than the figure's.</summary>
    public static void PanelTitle(ScottPlot.Plot plot, string title)
    {
        plot.Title(title);
        plot.Axes.Title.Label.FontSize = 15;
        plot.Axes.Bottom.Label.FontSize = 14;
        plot.Axes.Left.Label.FontSize = 14;
    }

    public static string Seeds(int n) => n == 1 ? "1 seed" : $"{n} seeds";
}
