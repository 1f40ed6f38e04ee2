namespace SemiGan.Reports;

/// <summary>Shared look of the report charts: size, colours per model, log-scaled label-count axis.</summary>
public static class ChartStyle
{
    public const int Width = 900, Height = 560;

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

    /// <summary>Label counts are plotted at log10(n) with ticks at the counts themselves (ScottPlot has no log axis type).</summary>
    public static void LogLabelAxis(ScottPlot.Plot plot, IEnumerable<int> labelCounts)
    {
        var ticks = new ScottPlot.TickGenerators.NumericManual();
        foreach (int n in labelCounts.Distinct().Order()) ticks.AddMajor(Math.Log10(n), n.ToString(System.Globalization.CultureInfo.InvariantCulture));
        plot.Axes.Bottom.TickGenerator = ticks;
        plot.XLabel("Labeled training images (log scale)");
    }

    /// <summary>A line with markers through (xs, ys) and symmetric error bars of the same colour.</summary>
    public static void AddLineWithErrors(ScottPlot.Plot plot, double[] xs, double[] ys, double[] errors, ScottPlot.Color color, string legend)
    {
        var bars = plot.Add.ErrorBar(xs, ys, errors);
        bars.Color = color;
        var line = plot.Add.Scatter(xs, ys);
        line.Color = color;
        line.LineWidth = 2;
        line.MarkerSize = 7;
        line.LegendText = legend;
    }

    public static void Save(ScottPlot.Plot plot, string pngPath, string svgPath)
    {
        foreach (var p in new[] { pngPath, svgPath }) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(p))!);
        plot.SavePng(pngPath, Width, Height);
        plot.SaveSvg(svgPath, Width, Height);
    }
}
