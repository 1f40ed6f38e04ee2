using System.Globalization;
using System.Text.RegularExpressions;
using SemiGan.Reports;
using SemiGan.Results;

namespace SemiGan.Tests;

/// <summary>The figure fixes of issue 29: titles wrap, legend entries are never cut, the palette and markers tell methods apart,
/// confusion matrices name their classes on a fitted scale, tuning curves show validation only, and the forest plot and
/// gains.csv carry the report's own gains.</summary>
public class FigureTests
{
    static string TempFile(string name) => Path.Combine(Synthetic.TempDir(), name);

    static List<string> Texts(string svg) =>
        Regex.Matches(File.ReadAllText(svg), @"<text[^>]*>([^<]*)</text>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value.Trim())).ToList();

    static bool Inside(ScottPlot.PixelRect inner, ScottPlot.PixelRect outer, float slack = 0.5f) =>
        inner.Left >= outer.Left - slack && inner.Right <= outer.Right + slack && inner.Top >= outer.Top - slack && inner.Bottom <= outer.Bottom + slack;

    static EpochRecord Row(string method, int seed, int epoch, double test, double? validation = null) => new()
    {
        Experiment = "c", Run = Training.RunSpec.Of(100, "masked", "gan_logit", seed, method, Training.RunSpec.LegacyDataset), Epoch = epoch,
        Iterations = epoch, ImagesSeen = epoch, LabeledImagesSeen = epoch, TestAccuracy = test, ValidationAccuracy = validation, TestLoss = 1, EpochSeconds = 1,
    };

    [Fact]
    public void A_title_longer_than_the_figure_wraps_onto_lines_that_fit()
    {
        string title = string.Join(" ", Enumerable.Repeat("Learning curves: SGAN vs Supervised (full labeled batches) vs Walkthrough baseline", 3));
        var plot = ChartStyle.NewPanel();
        plot.Add.Scatter(new double[] { 1, 2 }, new double[] { 1, 2 });
        string png = TempFile("t.png");
        var layout = new Figure { Title = title, Caption = "c", Panels = [plot] }.Save(png, Path.ChangeExtension(png, ".svg"));

        Assert.Contains('\n', layout.TitleText);
        Assert.Equal(title, layout.TitleText.Replace('\n', ' ')); // every word kept
        Assert.True(layout.TitleRect.Left >= 0 && layout.TitleRect.Right <= layout.Width, $"title {layout.TitleRect} wider than the figure ({layout.Width})");
        Assert.True(layout.TitleRect.Bottom <= layout.DataRects[0].Top, "title overlaps the panel");
    }

    [Theory]
    [InlineData(LegendPlace.Bottom)]
    [InlineData(LegendPlace.Right)]
    public void A_legend_entry_longer_than_the_legend_may_be_wraps_and_no_label_is_cut(LegendPlace place)
    {
        var plot = ChartStyle.NewPanel();
        plot.Add.Scatter(new double[] { 1, 2 }, new double[] { 1, 2 });
        string longName = "Feature-matching GAN (weights averaged at 1e-3 per step, the MLP of Salimans et al. with weight norm) − Supervised (full labeled batches)";
        var items = new[] { ChartStyle.LineItem("SGAN", ChartStyle.MethodColor("sgan"), ScottPlot.LinePattern.Solid), ChartStyle.LineItem(longName, ChartStyle.MethodColor("fm-gan"), ScottPlot.LinePattern.Dashed) };
        string png = TempFile("l.png");
        var layout = new Figure { Title = "t", Caption = "c", Panels = [plot], LegendItems = items, Legend = place }.Save(png, Path.ChangeExtension(png, ".svg"));

        var legend = Assert.NotNull(layout.LegendRect);
        Assert.True(Inside(legend, new ScottPlot.PixelRect(0, layout.Width, layout.Height, 0)), $"legend {legend} outside the figure");
        Assert.Equal(2, layout.LegendLabelRects.Count);
        foreach (var label in layout.LegendLabelRects)
            Assert.True(Inside(label, legend), $"legend label {label} cut by the legend's frame {legend}");
        // The long entry was wrapped, not shortened: all its words are drawn.
        string text = string.Join(" ", Texts(Path.ChangeExtension(png, ".svg")));
        foreach (var word in longName.Split(' ')) Assert.Contains(word, text);
    }

    [Fact]
    public void Methods_get_okabe_ito_colours_in_registry_order_and_a_marker_and_pattern_each()
    {
        Assert.Equal(ScottPlot.Color.FromHex("#0072B2"), ChartStyle.MethodColor("sgan"));
        Assert.Equal(ScottPlot.Color.FromHex("#E69F00"), ChartStyle.MethodColor("baseline"));
        Assert.Equal(ScottPlot.Color.FromHex("#009E73"), ChartStyle.MethodColor("supervised"));
        Assert.Equal(ScottPlot.Color.FromHex("#CC79A7"), ChartStyle.MethodColor("fm-gan"));
        var methods = Methods.MethodRegistry.All.Select(m => m.Name).ToList();
        Assert.Equal(methods.Count, methods.Select(ChartStyle.MethodMarker).Distinct().Count());
        Assert.Equal(methods.Count, methods.Select(m => ChartStyle.MethodPattern(m).Name).Distinct().Count());

        // A chart draws each method's mean line in its colour, marker and pattern.
        var rows = (from m in new[] { "sgan", "baseline" } from s in new[] { 1, 2 } from e in new[] { 1, 2, 3 } select Row(m, s, e, 0.8 + 0.01 * e)).ToList();
        string png = TempFile("a.png");
        var layout = AccuracyChart.Write(rows, png, Path.ChangeExtension(png, ".svg"), "t");
        var means = layout.Panels[0].GetPlottables<ScottPlot.Plottables.Scatter>().Where(l => l.LineWidth > 2).ToList();
        Assert.Equal(2, means.Count);
        Assert.All(means, l => Assert.Contains(l.Color, ChartStyle.Palette));
        Assert.Equal([ChartStyle.MethodColor("sgan"), ChartStyle.MethodColor("baseline")], means.Select(l => l.Color));
        Assert.Equal([ChartStyle.MethodMarker("sgan"), ChartStyle.MethodMarker("baseline")], means.Select(l => l.MarkerShape));
        Assert.NotEqual(means[0].LinePattern.Name, means[1].LinePattern.Name);
    }

    [Fact]
    public void The_walkthrough_baseline_replaces_the_seed_like_name_also_in_old_configs()
    {
        Assert.Equal("Walkthrough baseline (labeled images only)", ChartStyle.MethodName("baseline"));
        Assert.Equal("Walkthrough baseline (whole batch, masked loss)", ChartStyle.Renamed("Seed-like baseline (whole batch, masked loss)"));
        Assert.Equal("SGAN (batch-norm statistics from real data)", ChartStyle.Renamed("SGAN (batch-norm statistics from real data)"));
    }

    [Fact]
    public void Confusion_matrix_names_fashion_mnist_classes_fits_its_scale_to_the_largest_error_and_has_a_few_round_colour_bar_ticks()
    {
        var m = new long[10, 10];
        for (int i = 0; i < 10; i++) { m[i, i] = 979; m[i, (i + 1) % 10] = 21; } // the largest error: 2.1%
        string png = TempFile("c.png"), svg = Path.ChangeExtension(png, ".svg");
        var layout = ConfusionChart.Write(m, png, svg, "t", Data.Datasets.FashionMnist.ClassNames);

        var texts = Texts(svg);
        foreach (var name in new[] { "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot" })
            Assert.True(texts.Count(t => t == name) >= 2, $"{name} not on both axes"); // predicted and true
        Assert.Equal(2.5, ConfusionChart.ScaleTop(2.1));
        var heatmap = layout.Panels[0].GetPlottables<ScottPlot.Plottables.Heatmap>().Single();
        Assert.Equal(2.5, heatmap.ManualRange!.Value.Max);
        var bar = layout.Panels[0].Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>().Single();
        Assert.Equal(6, bar.Axis.TickGenerator.Ticks.Count(t => t.IsMajor)); // 0, 0.5, ..., 2.5: not 26 labels
        Assert.Equal([5, 2, 0.5, 10, 50], new[] { 25, 4, 2.5, 30, 100 }.Select(c => ConfusionChart.TickStep(c)));
        Assert.Contains("≥2.5", texts);

        // MNIST's names are its digits.
        Assert.Equal(Enumerable.Range(0, 10).Select(i => i.ToString(CultureInfo.InvariantCulture)), Data.Datasets.Mnist.ClassNames);
        Assert.Equal(0.8, ConfusionChart.ScaleTop(0.7), 12);
        Assert.Equal(30, ConfusionChart.ScaleTop(27.2));
        Assert.Equal(100, ConfusionChart.ScaleTop(95));
    }

    [Fact]
    public void A_tuning_chart_draws_validation_accuracy_and_no_test_accuracy()
    {
        var rows = (from s in new[] { 1, 2 } from e in new[] { 1, 2, 3 } select Row("supervised", s, e, test: 0.5, validation: 0.9 + 0.01 * e)).ToList();
        string png = TempFile("v.png"), svg = Path.ChangeExtension(png, ".svg");
        var layout = AccuracyChart.Write(rows, png, svg, "t", validation: true);
        var ys = layout.Panels[0].GetPlottables<ScottPlot.Plottables.Scatter>().SelectMany(l => l.Data.GetScatterPoints()).Select(p => p.Y).ToList();
        Assert.All(ys, y => Assert.InRange(y, 90.5, 93.5)); // validation, never the test's 50
        Assert.Contains("Validation accuracy (%)", Texts(svg));
        Assert.DoesNotContain("Test accuracy (%)", Texts(svg));
        Assert.True(ReportWriter.IsTuning("tune-supervised", null));
        Assert.True(ReportWriter.IsTuning("x", "Tuning, not an answer: ..."));
        Assert.False(ReportWriter.IsTuning("claim-1000", "The answer ..."));
    }
}
