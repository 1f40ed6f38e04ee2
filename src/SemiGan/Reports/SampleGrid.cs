using SkiaSharp;

namespace SemiGan.Reports;

/// <summary>Writes generator samples (values in [-1,1]) as a grayscale PNG grid, with a caption line (run and epoch) above it when given.</summary>
public static class SampleGrid
{
    public const int Gap = 2;
    const float CaptionSize = 14, CaptionPad = 5;

    public static void WritePng(float[] pixels, int count, int height, int width, int columns, string pngPath, int scale = 3, string? caption = null)
    {
        int rows = (count + columns - 1) / columns;
        int cell = height * scale, cellW = width * scale;
        using var bmp = new SKBitmap(columns * (cellW + Gap) + Gap, rows * (cell + Gap) + Gap, SKColorType.Gray8, SKAlphaType.Opaque);
        var buf = new byte[bmp.Width * bmp.Height];
        Array.Fill(buf, (byte)64); // grey gaps separate the images
        for (int n = 0; n < count; n++)
        {
            int ox = Gap + (n % columns) * (cellW + Gap), oy = Gap + (n / columns) * (cell + Gap);
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    float v = pixels[n * height * width + (y / scale) * width + x / scale];
                    buf[(oy + y) * bmp.Width + ox + x] = (byte)Math.Clamp((v + 1f) * 127.5f, 0f, 255f);
                }
        }
        System.Runtime.InteropServices.Marshal.Copy(buf, 0, bmp.GetPixels(), buf.Length);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        using var data = caption is null ? bmp.Encode(SKEncodedImageFormat.Png, 100) : Captioned(bmp, caption);
        using var f = File.Create(pngPath);
        data.SaveTo(f);
    }

    /// <summary>The grid under a white strip holding <paramref name="caption"/>; the image is widened (grid centred) when the caption is wider.</summary>
    static SKData Captioned(SKBitmap grid, string caption)
    {
        ChartFonts.Ensure();
        using var paint = ScottPlot.Paint.NewDisposablePaint();
        var label = new ScottPlot.LabelStyle { Text = caption, FontSize = CaptionSize, FontName = ChartFonts.Family, Alignment = ScottPlot.Alignment.UpperLeft, ForeColor = ScottPlot.Colors.Black };
        var size = label.Measure(paint);
        int strip = (int)Math.Ceiling(size.Height + 2 * CaptionPad);
        int w = Math.Max(grid.Width, (int)Math.Ceiling(size.Width + 2 * CaptionPad));
        using var surface = SKSurface.Create(new SKImageInfo(w, strip + grid.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        surface.Canvas.Clear(SKColors.White);
        surface.Canvas.DrawBitmap(grid, (w - grid.Width) / 2, strip);
        label.Render(surface.Canvas, new ScottPlot.Pixel(CaptionPad, CaptionPad), paint, true);
        using var image = surface.Snapshot();
        return image.Encode(SKEncodedImageFormat.Png, 100);
    }
}
