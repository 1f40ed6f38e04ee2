using SemiGan.Training;
using SemiGan.Models;
using SemiGan.Results;

namespace SemiGan.Reports;

/// <summary>
/// Test accuracy vs epoch, a panel per label count: per method (and head/protocol when mixed) a thin line per seed,
/// the mean across seeds (thick, with markers) and a ±1 std band. One legend below the panels.
/// With <c>validation</c> (tuning experiments) it draws validation accuracy instead, and no test accuracy at all.
/// </summary>
public static class AccuracyChart
{
    public static FigureLayout Write(IReadOnlyList<EpochRecord> rows, string pngPath, string svgPath, string title, bool validation = false)
    {
        if (validation)
        {
            rows = rows.Where(r => r.ValidationAccuracy is not null).Select(r => r with { TestAccuracy = r.ValidationAccuracy!.Value }).ToList();
            if (rows.Count == 0) throw new ArgumentException("a validation-accuracy chart needs rows with validation accuracy", nameof(rows));
        }
        string what = validation ? "Validation accuracy" : "Test accuracy";
        var series = rows.Select(r => (r.Run.Method, Protocol: r.Run.Protocol.Name(), Head: r.Run.Head.Name())).Distinct()
            .OrderBy(k => ChartStyle.Order(k.Method)).ThenBy(k => k.Protocol, StringComparer.Ordinal).ThenBy(k => k.Head, StringComparer.Ordinal).ToList();
        var kinds = series.Select(k => (k.Protocol, k.Head)).Distinct().ToList();
        bool mixed = kinds.Count > 1;
        var byLabels = rows.GroupBy(r => r.Run.Labels).OrderBy(g => g.Key).ToList();
        bool multi = byLabels.Count > 1;
        int maxSeeds = 0;
        var seedCounts = series.ToDictionary(k => k, _ => new SortedSet<int>());

        // Each method's own pattern, unless the chart mixes protocols or heads: then the pattern says which.
        ScottPlot.LinePattern Pattern((string Method, string Protocol, string Head) k) =>
            mixed ? ChartStyle.Pattern(kinds.IndexOf((k.Protocol, k.Head))) : ChartStyle.MethodPattern(k.Method);

        var panels = new List<ScottPlot.Plot>();
        foreach (var panelRows in byLabels)
        {
            var plot = ChartStyle.NewPanel();
            foreach (var key in series)
            {
                var s = panelRows.Where(r => (r.Run.Method, Protocol: r.Run.Protocol.Name(), Head: r.Run.Head.Name()) == key).ToList();
                if (s.Count == 0) continue;
                var color = ChartStyle.MethodColor(key.Method);
                var pattern = Pattern(key);
                var seeds = s.GroupBy(r => r.Run.Seed).OrderBy(g => g.Key).ToList();
                seedCounts[key].Add(seeds.Count);
                maxSeeds = Math.Max(maxSeeds, seeds.Count);
                var byEpoch = s.GroupBy(r => r.Epoch).OrderBy(g => g.Key).ToList();
                double[] xs = byEpoch.Select(g => (double)g.Key).ToArray();
                double[] mean = byEpoch.Select(g => g.Average(r => r.TestAccuracy ?? double.NaN) * 100).ToArray();
                if (seeds.Count > 1)
                {
                    double[] std = byEpoch.Select(g => SampleStd(g.Select(r => (r.TestAccuracy ?? double.NaN) * 100).ToArray())).ToArray();
                    var band = plot.Add.FillY(xs, mean.Zip(std, (m, d) => m - d).ToArray(), mean.Zip(std, (m, d) => m + d).ToArray());
                    band.FillColor = color.WithAlpha(0.18);
                    band.LineWidth = 0;
                    foreach (var seed in seeds)
                    {
                        var pts = seed.OrderBy(r => r.Epoch).ToList();
                        var thin = plot.Add.Scatter(pts.Select(r => (double)r.Epoch).ToArray(), pts.Select(r => (r.TestAccuracy ?? double.NaN) * 100).ToArray());
                        thin.Color = color.WithAlpha(0.55);
                        thin.LineWidth = 1;
                        thin.LinePattern = pattern;
                        thin.MarkerSize = 0;
                    }
                }
                var line = plot.Add.Scatter(xs, mean);
                line.Color = color;
                line.LineWidth = 2.5f;
                line.LinePattern = pattern;
                line.MarkerSize = 7;
                line.MarkerShape = ChartStyle.MethodMarker(key.Method);
            }
            if (multi) ChartStyle.PanelTitle(plot, $"{panelRows.Key} labels");
            plot.XLabel("Epoch");
            plot.YLabel($"{what} (%)");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            panels.Add(plot);
        }

        var legend = series.Select(k =>
        {
            string name = ChartStyle.MethodName(k.Method);
            var n = seedCounts[k];
            string seeds = n.Count == 1 ? $"n={n.Min}" : $"n={n.Min}–{n.Max}";
            return ChartStyle.LineItem((mixed ? $"{name} ({k.Head}, {k.Protocol})" : name) + $" ({seeds})",
                ChartStyle.MethodColor(k.Method), Pattern(k), shape: ChartStyle.MethodMarker(k.Method));
        }).ToList();
        if (maxSeeds > 1)
        {
            legend.Add(ChartStyle.LineItem("single seeds", ScottPlot.Colors.Gray, ScottPlot.LinePattern.Solid, width: 1, marker: false));
            legend.Add(ChartStyle.BandItem("±1 std", ScottPlot.Colors.Gray.WithAlpha(0.3)));
        }
        string measured = validation
            ? "Validation accuracy on the held-out validation split after every epoch; a tuning experiment chooses on it, so its test accuracy is not drawn."
            : "Test accuracy on the whole test set after every epoch.";
        string caption = maxSeeds > 1
            ? "Thick line with markers: mean over seeds (n in the legend); shaded band: ±1 std across seeds (sample standard deviation, not a confidence interval); " +
              "thin lines: individual seeds. " + measured
            : "One seed per line, so no band (a spread needs two or more seeds). " + measured;
        if (multi) caption += " Each panel has its own y range.";

        return Figure.OfPanels(title, caption, panels, legend).Save(pngPath, svgPath);
    }

    static double SampleStd(double[] v) =>
        v.Length < 2 ? 0 : MathNet.Numerics.Statistics.Statistics.StandardDeviation(v);
}
