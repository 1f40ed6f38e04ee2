using System.Text.RegularExpressions;
using ScottPlot;
using SemiGan.Reports;
using SemiGan.Results;
using SemiGan.Training;
using SkiaSharp;

namespace SemiGan.Tests;

public class ChartTests
{
    static EpochRecord Row(string model, int seed, int epoch, double acc, string head = "gan_logit", int labels = 1000) => new()
    {
        Experiment = "c", Run = Training.RunSpec.Of(labels, "masked", head, seed, model, Training.RunSpec.LegacyDataset), Epoch = epoch,
        Iterations = epoch, ImagesSeen = epoch, LabeledImagesSeen = epoch, TestAccuracy = acc, TestLoss = 1, EpochSeconds = 1,
        Losses = model == "sgan"
            ? LossValues.Of(("supervised", 1.0 / epoch + 0.1 * seed), ("unsupervised", 0.9), ("generator", 0.5 + 0.1 * epoch))
            : LossValues.Of(("supervised", 1.2 / epoch), ("unsupervised", null), ("generator", null)),
    };

    static List<EpochRecord> Curves(params int[] labels) =>
        (from n in labels from m in new[] { "sgan", "baseline" } from s in new[] { 1, 2, 3 } from e in Enumerable.Range(1, 4)
         select Row(m, s, e, 0.8 + 0.03 * e + 0.01 * s + (m == "sgan" ? 0.02 : 0), labels: n)).ToList();

    static string TempFile(string name) => Path.Combine(Synthetic.TempDir(), name);

    /// <summary>Pixels of <paramref name="png"/> inside <paramref name="r"/> (a rectangle in the figure's logical pixels) that match.</summary>
    static int Count(SKBitmap png, PixelRect r, Func<SKColor, bool> match)
    {
        int n = 0;
        for (int y = (int)(r.Top * Figure.Scale); y < (int)(r.Bottom * Figure.Scale); y++)
            for (int x = (int)(r.Left * Figure.Scale); x < (int)(r.Right * Figure.Scale); x++)
                if (match(png.GetPixel(x, y))) n++;
        return n;
    }

    static bool Near(SKColor c, Color want, int tol = 40) =>
        Math.Abs(c.Red - want.R) <= tol && Math.Abs(c.Green - want.G) <= tol && Math.Abs(c.Blue - want.B) <= tol;

    /// <summary>The PNG is the SVG's size times Figure.Scale (1800x1120 for a 900x560 chart), and the SVG says its size.</summary>
    static SKBitmap AssertTwiceTheSvg(string png, string svg, FigureLayout layout)
    {
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(png)[..8]);
        var bitmap = SKBitmap.Decode(png);
        Assert.Equal((2 * layout.Width, 2 * layout.Height), (bitmap.Width, bitmap.Height));
        Assert.Contains($"width=\"{layout.Width}\" height=\"{layout.Height}\"", File.ReadAllText(svg));
        return bitmap;
    }

    /// <summary>The legend's rectangle overlaps no panel's data area, lies inside the figure, and really holds the legend (its first symbol's colour).</summary>
    static void AssertLegendOutsideData(FigureLayout layout, SKBitmap png, Color symbol)
    {
        var legend = Assert.NotNull(layout.LegendRect);
        foreach (var d in layout.DataRects)
        {
            Assert.True(d.HasArea);
            bool apart = legend.Right <= d.Left || legend.Left >= d.Right || legend.Bottom <= d.Top || legend.Top >= d.Bottom;
            Assert.True(apart, $"legend {legend} overlaps data area {d}");
        }
        Assert.True(legend.Left >= 0 && legend.Top >= 0 && legend.Right <= layout.Width && legend.Bottom <= layout.Height, $"legend {legend} outside the figure");
        Assert.True(Count(png, legend, c => Near(c, symbol, 10)) > 20, "no legend symbol drawn inside the legend's rectangle");
    }

    static void AssertCaption(string svg, params string[] parts)
    {
        // The caption is wrapped into lines (one <text> element each): look for its parts in the joined text.
        string text = string.Join(" ", Texts(svg));
        foreach (var p in parts) Assert.Contains(p, text);
    }

    /// <summary>The SVG's text elements, decoded.</summary>
    static List<string> Texts(string svg) =>
        Regex.Matches(File.ReadAllText(svg), @"<text[^>]*>([^<]*)</text>").Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value.Trim())).ToList();

    [Fact]
    public void Learning_curve_chart_is_png_at_twice_the_svg_with_seed_lines_a_caption_and_the_legend_below_the_data()
    {
        var rows = Curves(1000);
        string png = TempFile("acc.png"), svg = Path.ChangeExtension(png, ".svg");

        var layout = AccuracyChart.Write(rows, png, svg, "SGAN vs baseline, MNIST, 1000 labels");

        using var bitmap = AssertTwiceTheSvg(png, svg, layout);
        Assert.Equal((1800, 1280), (bitmap.Width, bitmap.Height));
        // The (bold) title is really drawn: dark pixels where it was placed.
        int dark = Count(bitmap, layout.TitleRect, c => c.Red < 128);
        Assert.True(dark > 400, $"title has {dark} dark pixels");
        string text = File.ReadAllText(svg);
        foreach (var s in new[] { "SGAN vs baseline, MNIST, 1000 labels", "Epoch", "Test accuracy (%)", "SGAN (n=3)", "Walkthrough baseline (labeled images only) (n=3)", "single seeds" })
            Assert.Contains(s, text);
        AssertCaption(svg, "shaded band: ±1 std across seeds", "not a confidence interval", "thin lines: individual seeds");
        AssertLegendOutsideData(layout, bitmap, ChartStyle.MethodColor("sgan"));
        Assert.True(layout.LegendRect!.Value.Top > layout.DataRects[0].Bottom); // below the panel, which keeps the full width

        // Per method: a thin line per seed (3) under the thick mean line, and one band.
        var panel = Assert.Single(layout.Panels);
        var lines = panel.GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(2 * (3 + 1), lines.Count);
        Assert.Equal(6, lines.Count(l => l.LineWidth == 1 && l.MarkerSize == 0));
        Assert.Equal(2, lines.Count(l => l.LineWidth > 2));
        var mean = lines.Last(l => l.LineWidth > 2); // the baseline's, drawn after the SGAN's
        Assert.Equal(Enumerable.Range(1, 4).Select(e => (0.8 + 0.03 * e + 0.02) * 100), mean.Data.GetScatterPoints().Select(p => p.Y), new Tolerance(1e-9));
        Assert.Equal(2, panel.GetPlottables<ScottPlot.Plottables.FillY>().Count());

        // Text must not depend on the machine's fonts (a bare Linux box has none): both weights ScottPlot asks
        // for (titles and axis labels are bold) resolve to the bundled file, whatever this machine has installed.
        Assert.Equal(ChartFonts.Family, ScottPlot.Fonts.Default);
        foreach (bool bold in new[] { false, true })
            Assert.Contains(ScottPlot.Fonts.FontResolvers.OfType<ScottPlot.FontResolvers.FileFontResolver>(),
                r => r.CreateTypeface(ChartFonts.Family, bold, italic: false)?.FamilyName == "DejaVu Sans");
    }

    sealed class Tolerance(double eps) : IEqualityComparer<double>
    {
        public bool Equals(double a, double b) => Math.Abs(a - b) <= eps;
        public int GetHashCode(double v) => 0;
    }

    [Fact]
    public void A_sweep_gets_one_learning_curve_figure_with_a_labelled_panel_per_label_count_and_the_legend_below()
    {
        var rows = Curves(20, 100, 1000);
        string png = TempFile("sweep.png"), svg = Path.ChangeExtension(png, ".svg");

        var layout = AccuracyChart.Write(rows, png, svg, "Learning curves (MNIST): test accuracy per epoch");

        using var bitmap = AssertTwiceTheSvg(png, svg, layout);
        Assert.Equal(3, layout.DataRects.Count);
        // Panels line up: the same data-area size in each.
        Assert.Single(layout.DataRects.Select(d => (Math.Round(d.Width), Math.Round(d.Height))).Distinct());
        string text = File.ReadAllText(svg);
        foreach (var s in new[] { "20 labels", "100 labels", "1000 labels", "Test accuracy (%)" }) Assert.Contains(s, text);
        AssertCaption(svg, "±1 std across seeds", "Each panel has its own y range.");
        AssertLegendOutsideData(layout, bitmap, ChartStyle.MethodColor("sgan"));
        Assert.True(layout.LegendRect!.Value.Top > layout.DataRects.Max(d => d.Bottom)); // below every panel
    }

    [Fact]
    public void Learning_curve_chart_names_head_and_protocol_when_rows_mix_heads()
    {
        var rows = (from h in new[] { "gan_logit", "softmax11" } from e in Enumerable.Range(1, 3)
                    select Row("sgan", 1, e, 0.9, h)).ToList();
        string dir = Synthetic.TempDir();

        AccuracyChart.Write(rows, Path.Combine(dir, "m.png"), Path.Combine(dir, "m.svg"), "mixed");

        string text = File.ReadAllText(Path.Combine(dir, "m.svg"));
        Assert.Contains("SGAN (gan_logit, masked) (n=1)", text);
        Assert.Contains("SGAN (softmax11, masked) (n=1)", text);
        AssertCaption(Path.Combine(dir, "m.svg"), "One seed per line, so no band");
    }

    static List<EpochRecord> SweepRows(params string[] methods) =>
        (from m in methods from n in new[] { 20, 100, 1000 } from s in new[] { 1, 2, 3 } from e in Enumerable.Range(1, 2)
         select Row(m, s, e, 0.5 + 0.1 * Math.Log10(n) + 0.01 * s + (m == "baseline" ? 0 : 0.03), labels: n)).ToList();

    /// <summary>The error bars' x positions per series, in the order drawn.</summary>
    static List<double[]> BarXs(FigureLayout layout) =>
        layout.Panels.Single().GetPlottables<ScottPlot.Plottables.ErrorBar>().Select(b => b.Xs.ToArray()).ToList();

    [Fact]
    public void Sweep_chart_dodges_the_error_bars_of_methods_sharing_a_label_count_and_says_they_are_95_percent_cis()
    {
        var variants = Aggregation.Variants(Aggregation.Runs(SweepRows("sgan", "baseline")));
        string png = TempFile("sweep.png"), svg = Path.ChangeExtension(png, ".svg");

        var layout = LabelSweepChart.Write(variants, png, svg, "Label-count sweep (MNIST): final test accuracy");

        using var bitmap = AssertTwiceTheSvg(png, svg, layout);
        Assert.Equal((1800, 1280), (bitmap.Width, bitmap.Height));
        var xs = BarXs(layout);
        Assert.Equal(2, xs.Count);
        double[] at = [Math.Log10(20), Math.Log10(100), Math.Log10(1000)];
        for (int i = 0; i < 3; i++)
        {
            Assert.Equal(ChartStyle.DodgeStep, xs[1][i] - xs[0][i], 12); // apart by one step...
            Assert.Equal(at[i], (xs[0][i] + xs[1][i]) / 2, 12);          // ...either side of the label count
            // ...and far enough apart to see: bars at least 6 pixels apart in the SVG.
            var panel = layout.Panels.Single();
            Assert.True(panel.GetPixel(new Coordinates(xs[1][i], 90)).X - panel.GetPixel(new Coordinates(xs[0][i], 90)).X >= 6);
        }
        AssertCaption(svg, "error bars: 95% confidence interval of the mean", "not ±1 std", "shifted slightly sideways");
        AssertLegendOutsideData(layout, bitmap, ChartStyle.MethodColor("sgan"));
        Assert.Contains("Label-count sweep (MNIST): final test accuracy", File.ReadAllText(svg));
    }

    [Fact]
    public void Gain_chart_dodges_two_methods_gains_and_says_its_bars_are_95_percent_cis()
    {
        var gains = Aggregation.Gains(Aggregation.Runs(SweepRows("sgan", "fm-gan", "baseline")), "baseline");
        string png = TempFile("gain.png"), svg = Path.ChangeExtension(png, ".svg");

        var layout = GainChart.Write(gains, png, svg, "Gain over the walkthrough baseline (MNIST)");

        using var bitmap = AssertTwiceTheSvg(png, svg, layout);
        var xs = BarXs(layout);
        Assert.Equal(2, xs.Count);
        for (int i = 0; i < 3; i++)
        {
            Assert.NotEqual(xs[0][i], xs[1][i]);
            Assert.Equal(Math.Log10(new[] { 20, 100, 1000 }[i]), (xs[0][i] + xs[1][i]) / 2, 12);
        }
        AssertCaption(svg, "paired by seed", "error bars: 95% confidence interval of the mean paired difference", "not ±1 std");
        AssertLegendOutsideData(layout, bitmap, ChartStyle.MethodColor(gains[0].Method));
    }

    [Fact]
    public void Loss_chart_draws_every_loss_column_as_the_mean_over_seeds_with_a_panel_per_label_count()
    {
        var rows = Curves(20, 100).Where(r => r.Run.Method == "sgan").ToList();
        string png = TempFile("loss.png"), svg = Path.ChangeExtension(png, ".svg");

        var layout = LossChart.Write(rows, png, svg, "Training losses: SGAN (MNIST, masked protocol, gan_logit head)");

        using var bitmap = AssertTwiceTheSvg(png, svg, layout);
        Assert.Equal(2, layout.Panels.Count);
        string text = File.ReadAllText(svg);
        foreach (var s in new[] { "supervised loss", "unsupervised loss", "generator loss", "20 labels", "100 labels", "Loss (epoch mean)" }) Assert.Contains(s, text);
        AssertCaption(svg, "averaged over seeds", "±1 std across seeds", "<name>_loss columns of epochs.csv");
        var lines = layout.Panels[0].GetPlottables<ScottPlot.Plottables.Scatter>().ToList();
        Assert.Equal(3, lines.Count);
        // supervised = 1/epoch + 0.1·seed: the mean over seeds 1-3 adds 0.2.
        Assert.Equal(Enumerable.Range(1, 4).Select(e => 1.0 / e + 0.2), lines[0].Data.GetScatterPoints().Select(p => p.Y), new Tolerance(1e-12));
        AssertLegendOutsideData(layout, bitmap, lines[0].Color);

        // A method with one loss draws only that one.
        var baseline = LossChart.Write(Curves(20).Where(r => r.Run.Method == "baseline").ToList(), TempFile("b.png"), TempFile("b.svg"), "b");
        Assert.Single(baseline.Panels.Single().GetPlottables<ScottPlot.Plottables.Scatter>());

        // A diverged run's NaN loss is left out (ScottPlot cannot scale an axis to it), and the caption says so.
        var diverged = rows.Where(r => r.Run.Labels == 20).Select(r => r.Run.Seed == 1 && r.Epoch == 4
            ? r with { Losses = LossValues.Of(("supervised", 0.3), ("unsupervised", double.NaN), ("generator", double.PositiveInfinity)) } : r).ToList();
        string dsvg = TempFile("d.svg");
        var d = LossChart.Write(diverged, TempFile("d.png"), dsvg, "d");
        AssertCaption(dsvg, "Non-finite values (a diverged run's last epoch) are left out.");
        Assert.All(d.Panels.Single().GetPlottables<ScottPlot.Plottables.Scatter>(), l => Assert.All(l.Data.GetScatterPoints(), p => Assert.True(double.IsFinite(p.Y))));
    }

    [Fact]
    public void Confusion_chart_is_a_row_normalised_heatmap_with_a_colour_bar_and_shares_in_the_cells()
    {
        var m = new long[10, 10];
        for (int i = 0; i < 10; i++) { m[i, i] = 90 + i; m[i, (i + 1) % 10] = 10 - i; } // row i: 100 images, error 10 - i %
        m[0, 0] = 180; m[0, 1] = 20; // row 0: 200 images, still 90% / 10%
        string png = TempFile("c.png"), svg = Path.ChangeExtension(png, ".svg");

        var layout = ConfusionChart.Write(m, png, svg, "Confusion matrix: SGAN, 100 labels, seed 1");

        using var bitmap = AssertTwiceTheSvg(png, svg, layout);
        Assert.Equal((2 * ConfusionChart.Width, 2 * ConfusionChart.Height), (bitmap.Width, bitmap.Height));
        var panel = Assert.Single(layout.Panels);
        Assert.NotNull(panel.GetPlottables<ScottPlot.Plottables.Heatmap>().SingleOrDefault());
        Assert.Single(panel.Axes.GetPanels().OfType<ScottPlot.Panels.ColorBar>());

        // The colour bar is drawn right of the data area: a column there runs from viridis' yellow (top) to its dark purple (bottom).
        var data = layout.DataRects[0];
        bool found = false;
        for (float x = data.Right + 2; x < data.Right + 60 && !found; x++)
        {
            var top = bitmap.GetPixel((int)(x * 2), (int)((data.Top + 3) * 2));
            var bottom = bitmap.GetPixel((int)(x * 2), (int)((data.Bottom - 3) * 2));
            found = top.Red > 200 && top.Green > 200 && top.Blue < 100 && bottom.Red < 100 && bottom.Green < 50 && bottom.Blue > 50;
        }
        Assert.True(found, "no colour bar right of the heatmap");
        Assert.Contains("Share of the true class (%), top of scale 10%", File.ReadAllText(svg));

        // Row-normalised, row 0 on top: cell (true 0, predicted 0) is the top-left one. The largest error is 10%, so the scale
        // is clipped at 10% and both the diagonal (90%) and that error are the brightest colour; an empty cell is the darkest.
        PixelRect Cell(int t, int p) => new(data.Left + data.Width * (p + 0.4f) / 10, data.Left + data.Width * (p + 0.6f) / 10,
                                           data.Top + data.Height * (t + 0.3f) / 10, data.Top + data.Height * (t + 0.1f) / 10);
        bool Yellow(SKColor c) => c.Red > 200 && c.Green > 200 && c.Blue < 100;
        bool Dark(SKColor c) => c.Red < 100 && c.Green < 15; // viridis at 0: (68, 1, 84); at 0.1: (72, 36, 117)
        void All(int t, int p, Func<SKColor, bool> match)
        {
            int area = Count(bitmap, Cell(t, p), _ => true);
            Assert.True(area > 100);
            Assert.Equal(area, Count(bitmap, Cell(t, p), match));
        }
        All(0, 0, Yellow);
        All(0, 1, Yellow);
        All(0, 2, Dark);
        All(9, 0, c => !Yellow(c) && !Dark(c)); // 1%: a tenth of the scale

        // Each cell states its share of the true class (%), whatever the row's size.
        var cells = Texts(svg);
        Assert.Contains("90", cells);
        Assert.Contains("9.0", cells);  // row 1: 9 of 100
        Assert.Contains("1.0", cells);  // row 9: 1 of 100
        Assert.DoesNotContain("180", cells);
        AssertCaption(svg, "the share (%) of its true class", "from 0 to 10%", "fitted to the largest error (10.0%)");
    }

    [Fact]
    public void Sample_grid_maps_minus_one_to_black_and_one_to_white()
    {
        var pixels = new float[4 * 28 * 28];
        Array.Fill(pixels, -1f);
        for (int i = 0; i < 28 * 28; i++) pixels[3 * 28 * 28 + i] = 1f; // the 4th image is all white
        string png = Path.Combine(Synthetic.TempDir(), "s.png");

        SampleGrid.WritePng(pixels, 4, 28, 28, columns: 2, png, scale: 2);

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((2 * 56 + 3 * 2, 2 * 56 + 3 * 2), (bitmap.Width, bitmap.Height));
        Assert.Equal(0, bitmap.GetPixel(2 + 10, 2 + 10).Red);                // image 0
        Assert.Equal(255, bitmap.GetPixel(2 + 56 + 2 + 10, 2 + 56 + 2 + 10).Red); // image 3
    }

    [Fact]
    public void Sample_grid_is_captioned_with_run_and_epoch_above_the_images()
    {
        var pixels = new float[4 * 28 * 28];
        Array.Fill(pixels, -1f);
        for (int i = 0; i < 28 * 28; i++) pixels[3 * 28 * 28 + i] = 1f;
        var run = RunSpec.Of(100, "masked", "gan_logit", 1, "sgan", "mnist");
        string caption = RunArtifacts.SampleCaption(run, 3, final: true);
        Assert.Equal("Generator samples, sgan-mnist-masked-gan_logit-labels-100-seed-1, after epoch 3 (the last)", caption);
        string plain = TempFile("p.png"), captioned = TempFile("c.png");

        SampleGrid.WritePng(pixels, 4, 28, 28, columns: 2, plain, scale: 2);
        SampleGrid.WritePng(pixels, 4, 28, 28, columns: 2, captioned, scale: 2, caption);

        using var grid = SKBitmap.Decode(plain);
        using var bitmap = SKBitmap.Decode(captioned);
        int strip = bitmap.Height - grid.Height;
        Assert.InRange(strip, 15, 40);
        Assert.True(bitmap.Width > grid.Width); // widened: the caption is wider than this small grid
        int dark = 0;
        for (int y = 0; y < strip; y++) for (int x = 0; x < bitmap.Width; x++) if (bitmap.GetPixel(x, y).Red < 100) dark++;
        Assert.True(dark > 300, $"caption strip has {dark} dark pixels");
        // The grid sits below the strip, centred, unchanged.
        int ox = (bitmap.Width - grid.Width) / 2;
        for (int y = 0; y < grid.Height; y += 7)
            for (int x = 0; x < grid.Width; x += 7)
                Assert.Equal(grid.GetPixel(x, y).Red, bitmap.GetPixel(ox + x, strip + y).Red);
    }

    [Fact]
    public void Writing_the_svg_of_a_dashed_line_prints_nothing_to_the_native_stderr()
    {
        // Skia's SVG backend writes a line to fd 2 per dashed stroke; only a child process shows it (Console.SetError cannot).
        string dir = Synthetic.TempDir(), folder = Path.Combine(dir, "seed-1000");
        string from = Path.Combine(RepoRoot.Path, "results", "reference", "seed-1000");
        foreach (string f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string to = Path.Combine(folder, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
        }
        var psi = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "semigan.dll"));
        psi.ArgumentList.Add("report");
        psi.ArgumentList.Add(folder);
        using var child = System.Diagnostics.Process.Start(psi)!;
        var stdout = child.StandardOutput.ReadToEndAsync();
        string stderr = child.StandardError.ReadToEnd();
        child.WaitForExit();
        Assert.Equal(0, child.ExitCode);
        Assert.Equal("", stderr);
        Assert.Contains("wrote", stdout.Result);
        // The figures with a dashed line ("no gain") were drawn, as SVG too.
        Assert.True(File.Exists(Path.Combine(folder, "report", "gains.svg")), "gains.svg");
    }
}
