namespace SemiGan.Reports;

/// <summary>
/// Shared look of the report charts: size, a colour, marker and line pattern per method (colour-blind safe, so
/// no method is told apart by colour alone), legend entries, horizontally dodged error bars and the log-scaled label-count axis.
/// </summary>
public static class ChartStyle
{
    /// <summary>A single-panel figure's size in logical pixels (the SVG's); its PNG is <see cref="Figure.Scale"/> times larger.</summary>
    public const int Width = 900, Height = 640;

    /// <summary>Horizontal distance (in log10 of the label count) between neighbouring series that share a label count.</summary>
    public const double DodgeStep = 0.04;

    static readonly Dictionary<string, string> variantNames = [];
    static readonly List<string> variants = [];

    /// <summary>Display names of an experiment's variants (methods under names of their own), from its config.json.</summary>
    public static void Know(Config.ExperimentConfig config)
    {
        foreach (var m in config.Methods.Where(m => Methods.MethodRegistry.Find(m) is null))
        {
            // A baseline variant named by nobody is named by its mask reading (the registry's name says labeled images only).
            bool unnamedBaseline = config.MethodOf(m) is Methods.Baseline && config.MethodSettings?.GetValueOrDefault(m)?.DisplayName is null;
            variantNames[m] = unnamedBaseline ? $"{Methods.Baseline.Named(config.SettingsOf(m).OwnAs<Methods.BaselineOptions>().Mask == "whole-batch")[..^1]}; {m})" : Renamed(config.DisplayName(m));
            if (!variants.Contains(m)) variants.Add(m);
        }
    }

    /// <summary>
    /// Okabe and Ito's colour-blind-safe palette (Color Universal Design, 2008), ordered so that the first methods get the
    /// colours farthest apart; its yellow, hard to see on white, is left out (markers and patterns tell apart methods that share a colour).
    /// </summary>
    public static readonly ScottPlot.Color[] Palette =
    [
        ScottPlot.Color.FromHex("#0072B2"), // blue
        ScottPlot.Color.FromHex("#E69F00"), // orange
        ScottPlot.Color.FromHex("#009E73"), // bluish green
        ScottPlot.Color.FromHex("#CC79A7"), // reddish purple
        ScottPlot.Color.FromHex("#56B4E9"), // sky blue
        ScottPlot.Color.FromHex("#D55E00"), // vermillion
        ScottPlot.Color.FromHex("#000000"), // black
    ];

    static readonly ScottPlot.MarkerShape[] Markers =
    [
        ScottPlot.MarkerShape.FilledCircle, ScottPlot.MarkerShape.FilledSquare, ScottPlot.MarkerShape.FilledTriangleUp, ScottPlot.MarkerShape.FilledDiamond,
        ScottPlot.MarkerShape.OpenCircle, ScottPlot.MarkerShape.FilledTriangleDown, ScottPlot.MarkerShape.OpenSquare, ScottPlot.MarkerShape.OpenTriangleUp,
    ];

    /// <summary>The <paramref name="index"/>-th colour of <see cref="Palette"/> (cycling).</summary>
    public static ScottPlot.Color PaletteColor(int index) => Palette[index % Palette.Length];

    /// <summary>A method's colour: its place in the registry (variants after the registry's), so it keeps its colour in every chart.</summary>
    public static ScottPlot.Color MethodColor(string method) => PaletteColor(Order(method));

    /// <summary>A method's marker, fixed like its colour: a second cue besides colour.</summary>
    public static ScottPlot.MarkerShape MethodMarker(string method) => Markers[Order(method) % Markers.Length];

    /// <summary>A method's line pattern, fixed like its colour: a third cue (where a chart mixes protocols or heads, the pattern says which instead).</summary>
    public static ScottPlot.LinePattern MethodPattern(string method) => Pattern(Order(method));

    /// <summary>Legend order: the registry's, then variants in the order first seen.</summary>
    public static int Order(string method) =>
        Methods.MethodRegistry.Find(method) is not null ? Methods.MethodRegistry.Order(method)
        : variants.IndexOf(method) is >= 0 and var i ? Methods.MethodRegistry.All.Count + i : Methods.MethodRegistry.All.Count + variants.Count;

    public static string MethodName(string method) => variantNames.GetValueOrDefault(method) ?? Methods.MethodRegistry.DisplayName(method);

    /// <summary>
    /// A display name as results recorded it, in today's words: configs resolved before the baseline was renamed
    /// say "Seed-like baseline", a name that read like the random seeds; the walkthrough it follows is meant.
    /// </summary>
    public static string Renamed(string displayName) =>
        displayName.StartsWith(LegacyBaselineName, StringComparison.Ordinal) ? WalkthroughBaseline + displayName[LegacyBaselineName.Length..] : displayName;

    const string LegacyBaselineName = "Seed-like baseline", WalkthroughBaseline = "Walkthrough baseline";

    /// <summary>As <see cref="MethodName"/>, after <see cref="Know"/> has read <paramref name="config"/>.</summary>
    public static string MethodName(Config.ExperimentConfig config, string method)
    {
        Know(config);
        return MethodName(method);
    }

    /// <summary>The line pattern of the <paramref name="index"/>-th (protocol, head) combination of a chart: solid for the first.</summary>
    public static ScottPlot.LinePattern Pattern(int index) => Patterns[index % Patterns.Length];

    /// <summary>Eight patterns that stay apart at a line width of 2: ScottPlot's four, then dash-dot, long dash, dash-dot-dot and sparse dots.</summary>
    static readonly ScottPlot.LinePattern[] Patterns =
    [
        ScottPlot.LinePattern.Solid, ScottPlot.LinePattern.Dashed, ScottPlot.LinePattern.Dotted, ScottPlot.LinePattern.DenselyDashed,
        new([10, 4, 2, 4], 0, "DashDot"), new([18, 6], 0, "LongDash"), new([10, 4, 2, 4, 2, 4], 0, "DashDotDot"), new([2, 8], 0, "SparseDots"),
    ];

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
    public static void AddLineWithErrors(ScottPlot.Plot plot, double[] xs, double[] ys, double[] errors, ScottPlot.Color color, ScottPlot.LinePattern pattern,
        ScottPlot.MarkerShape marker = ScottPlot.MarkerShape.FilledCircle)
    {
        var bars = plot.Add.ErrorBar(xs, ys, errors);
        bars.Color = color;
        bars.LineWidth = 1.5f;
        var line = plot.Add.Scatter(xs, ys);
        line.Color = color;
        line.LineWidth = 2;
        line.LinePattern = pattern;
        line.MarkerSize = 8;
        line.MarkerShape = marker;
    }

    /// <summary>A legend entry for a line (with a marker when <paramref name="marker"/>).</summary>
    public static ScottPlot.LegendItem LineItem(string label, ScottPlot.Color color, ScottPlot.LinePattern pattern, float width = 2, bool marker = true,
        ScottPlot.MarkerShape shape = ScottPlot.MarkerShape.FilledCircle) => new()
    {
        LabelText = label,
        LineColor = color,
        LineWidth = width,
        LinePattern = pattern,
        MarkerShape = marker ? shape : ScottPlot.MarkerShape.None,
        MarkerSize = marker ? 8 : 0,
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
