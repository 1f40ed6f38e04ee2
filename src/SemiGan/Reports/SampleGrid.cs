using SkiaSharp;

namespace SemiGan.Reports;

/// <summary>Writes generator samples (values in [-1,1]) as a grayscale PNG grid.</summary>
public static class SampleGrid
{
    public static void WritePng(float[] pixels, int count, int height, int width, int columns, string pngPath, int scale = 3)
    {
        const int gap = 2;
        int rows = (count + columns - 1) / columns;
        int cell = height * scale, cellW = width * scale;
        using var bmp = new SKBitmap(columns * (cellW + gap) + gap, rows * (cell + gap) + gap, SKColorType.Gray8, SKAlphaType.Opaque);
        var buf = new byte[bmp.Width * bmp.Height];
        Array.Fill(buf, (byte)64); // grey gaps separate the images
        for (int n = 0; n < count; n++)
        {
            int ox = gap + (n % columns) * (cellW + gap), oy = gap + (n / columns) * (cell + gap);
            for (int y = 0; y < height * scale; y++)
                for (int x = 0; x < width * scale; x++)
                {
                    float v = pixels[n * height * width + (y / scale) * width + x / scale];
                    buf[(oy + y) * bmp.Width + ox + x] = (byte)Math.Clamp((v + 1f) * 127.5f, 0f, 255f);
                }
        }
        System.Runtime.InteropServices.Marshal.Copy(buf, 0, bmp.GetPixels(), buf.Length);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(pngPath))!);
        using var data = bmp.Encode(SKEncodedImageFormat.Png, 100);
        using var f = File.Create(pngPath);
        data.SaveTo(f);
    }
}
