using SemiGan.Reports;
using SemiGan.Results;
using SkiaSharp;

namespace SemiGan.Tests;

public class ChartTests
{
    static EpochRecord Row(string model, int seed, int epoch, double acc) => new()
    {
        Experiment = "c", Model = model, Protocol = "masked", Head = "gan_logit", Labels = 1000, Seed = seed, Epoch = epoch,
        Iterations = epoch, ImagesSeen = epoch, LabeledImagesSeen = epoch, TestAccuracy = acc, TestLoss = 1, EpochSeconds = 1,
    };

    [Fact]
    public void Learning_curve_chart_is_written_as_png_and_svg_with_its_text_in_the_bundled_font()
    {
        var rows = (from m in new[] { "sgan", "baseline" } from s in new[] { 1, 2, 3 } from e in Enumerable.Range(1, 4)
                    select Row(m, s, e, 0.8 + 0.03 * e + 0.01 * s + (m == "sgan" ? 0.02 : 0))).ToList();
        string dir = Synthetic.TempDir();
        string png = Path.Combine(dir, "a", "acc.png"), svg = Path.Combine(dir, "a", "acc.svg");

        AccuracyChart.Write(rows, png, svg, "SGAN vs baseline, MNIST, 1000 labels");

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((900, 560), (bitmap.Width, bitmap.Height));
        string text = File.ReadAllText(svg);
        foreach (var s in new[] { "SGAN vs baseline, MNIST, 1000 labels", "Epoch", "Test accuracy (%)", "SGAN (n=3)", "Baseline CNN (n=3)" })
            Assert.Contains(s, text);
        // Text must not depend on the machine's fonts (a bare Linux box has none).
        Assert.Equal(ChartFonts.Family, ScottPlot.Fonts.Default);
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
}
