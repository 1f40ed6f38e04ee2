using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Reports;

/// <summary>
/// Training losses vs epoch for one run variant (method, protocol, head), a panel per label count: every
/// <c>&lt;name&gt;_loss</c> column of epochs.csv the variant fills, its mean over seeds with a ±1 std band.
/// The first diagnostic of a GAN: a generator loss that climbs while the discriminator's falls to zero, or NaN.
/// </summary>
public static class LossChart
{
    /// <param name="lossOrder">The experiment's loss names in a fixed order, so a loss keeps its colour across charts (default: as first seen in <paramref name="rows"/>).</param>
    public static FigureLayout Write(IReadOnlyList<EpochRecord> rows, string pngPath, string svgPath, string title, IReadOnlyList<string>? lossOrder = null)
    {
        // A diverged run's last epoch holds a NaN or infinite loss: it cannot be drawn, and the caption says it was left out.
        bool nonFinite = rows.Any(r => r.Losses.Items.Any(i => i.Value is { } v && !double.IsFinite(v)));
        rows = rows.Select(r => r.Losses.Items.All(i => i.Value is not { } v || double.IsFinite(v)) ? r
            : r with { Losses = new LossValues(r.Losses.Items.Select(i => (i.Name, i.Value is { } v && double.IsFinite(v) ? i.Value : null))) }).ToList();
        var names = (lossOrder ?? Names(rows)).Where(n => rows.Any(r => r.Losses[n] is not null)).ToList();
        var colours = (lossOrder ?? names).ToList();
        var byLabels = rows.GroupBy(r => r.Run.Labels).OrderBy(g => g.Key).ToList();
        bool multi = byLabels.Count > 1;
        int maxSeeds = 0;
        var panels = new List<ScottPlot.Plot>();
        foreach (var panelRows in byLabels)
        {
            var plot = ChartStyle.NewPanel();
            maxSeeds = Math.Max(maxSeeds, panelRows.Select(r => r.Run.Seed).Distinct().Count());
            foreach (string name in names)
            {
                var byEpoch = panelRows.Where(r => r.Losses[name] is not null).GroupBy(r => r.Epoch).OrderBy(g => g.Key).ToList();
                if (byEpoch.Count == 0) continue;
                var color = Colour(colours.IndexOf(name));
                double[] xs = byEpoch.Select(g => (double)g.Key).ToArray();
                double[] mean = byEpoch.Select(g => g.Average(r => r.Losses[name]!.Value)).ToArray();
                if (byEpoch.Any(g => g.Count() > 1))
                {
                    double[] std = byEpoch.Select(g => g.Count() < 2 ? 0 : MathNet.Numerics.Statistics.Statistics.StandardDeviation(g.Select(r => r.Losses[name]!.Value))).ToArray();
                    var band = plot.Add.FillY(xs, mean.Zip(std, (m, d) => m - d).ToArray(), mean.Zip(std, (m, d) => m + d).ToArray());
                    band.FillColor = color.WithAlpha(0.18);
                    band.LineWidth = 0;
                }
                var line = plot.Add.Scatter(xs, mean);
                line.Color = color;
                line.LineWidth = 2.5f;
                line.MarkerSize = 6;
            }
            if (multi) ChartStyle.PanelTitle(plot, $"{panelRows.Key} labels");
            plot.XLabel("Epoch");
            plot.YLabel("Loss (epoch mean)");
            plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true };
            panels.Add(plot);
        }

        var legend = names.Select(n => ChartStyle.LineItem(Words(n), Colour(colours.IndexOf(n)), ScottPlot.LinePattern.Solid)).ToList();
        if (maxSeeds > 1) legend.Add(ChartStyle.BandItem("±1 std", ScottPlot.Colors.Gray.WithAlpha(0.3)));
        string caption = (maxSeeds > 1
                             ? "Lines: each training loss's epoch mean (over the epoch's steps), averaged over seeds; shaded band: ±1 std across seeds (sample standard deviation, not a confidence interval). "
                             : "Lines: each training loss's epoch mean (over the epoch's steps), one seed, so no band. ") +
                         "The losses are the <name>_loss columns of epochs.csv." + (multi ? " Each panel has its own y range." : "") +
                         (nonFinite ? " Non-finite values (a diverged run's last epoch) are left out." : "");
        return Figure.OfPanels(title, caption, panels, legend).Save(pngPath, svgPath);
    }

    /// <summary>The loss names of <paramref name="rows"/> with a value somewhere, in the order first seen.</summary>
    public static List<string> Names(IEnumerable<EpochRecord> rows) =>
        rows.SelectMany(r => r.Losses.Items.Where(i => i.Value is not null).Select(i => i.Name)).Distinct().ToList();

    /// <summary>"generator" → "generator loss".</summary>
    public static string Words(string name) => name.Replace('_', ' ') + " loss";

    // Losses take the palette from its fifth colour on, away from the methods' first colours.
    static ScottPlot.Color Colour(int index) => ChartStyle.PaletteColor(4 + index);
}
