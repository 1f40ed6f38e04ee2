using SemiGan.Reports;
using SemiGan.Results;
using SkiaSharp;

namespace SemiGan.Tests;

public class ChartTests
{
    static EpochRecord Row(string model, int seed, int epoch, double acc, string head = "gan_logit") => new()
    {
        Experiment = "c", Method = model, Protocol = "masked", Head = head, Labels = 1000, Seed = seed, Epoch = epoch,
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

        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, File.ReadAllBytes(png)[..8]);
        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal((900, 560), (bitmap.Width, bitmap.Height));
        // The (bold) title is really drawn: dark pixels in the strip above the plot area.
        int dark = 0;
        for (int y = 0; y < 30; y++) for (int x = 200; x < 700; x++) if (bitmap.GetPixel(x, y).Red < 128) dark++;
        Assert.True(dark > 200, $"title strip has {dark} dark pixels");
        string text = File.ReadAllText(svg);
        foreach (var s in new[] { "SGAN vs baseline, MNIST, 1000 labels", "Epoch", "Test accuracy (%)", "SGAN (n=3)", "Seed-like baseline (n=3)" })
            Assert.Contains(s, text);
        // Text must not depend on the machine's fonts (a bare Linux box has none): both weights ScottPlot asks
        // for (titles and axis labels are bold) resolve to the bundled file, whatever this machine has installed.
        Assert.Equal(ChartFonts.Family, ScottPlot.Fonts.Default);
        foreach (bool bold in new[] { false, true })
            Assert.Contains(ScottPlot.Fonts.FontResolvers.OfType<ScottPlot.FontResolvers.FileFontResolver>(),
                r => r.CreateTypeface(ChartFonts.Family, bold, italic: false)?.FamilyName == "DejaVu Sans");
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
