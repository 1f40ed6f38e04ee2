using System.Reflection;

namespace SemiGan.Reports;

/// <summary>
/// Charts use DejaVu Sans shipped inside this assembly (its licence: Reports/Fonts/LICENSE-DejaVu.txt):
/// a bare Linux machine has no fonts, and SkiaSharp then draws every title, label and legend as nothing.
/// Shipping the font also makes charts look the same on every OS.
/// </summary>
public static class ChartFonts
{
    public const string Family = "SemiGan DejaVu Sans";
    static readonly object Gate = new();
    static bool registered;

    public static void Ensure()
    {
        lock (Gate)
        {
            if (registered) return;
            string dir = Path.Combine(Path.GetTempPath(), "semigan-fonts-" + typeof(ChartFonts).Assembly.ManifestModule.ModuleVersionId.ToString("N")[..12]);
            Directory.CreateDirectory(dir);
            ScottPlot.Fonts.AddFontFile(Family, Extract(dir, "DejaVuSans.ttf"), bold: false, italic: false);
            ScottPlot.Fonts.AddFontFile(Family, Extract(dir, "DejaVuSans-Bold.ttf"), bold: true, italic: false);
            ScottPlot.Fonts.Default = Family;
            registered = true;
        }
    }

    static string Extract(string dir, string file)
    {
        string path = Path.Combine(dir, file);
        if (File.Exists(path)) return path;
        using var res = Assembly.GetExecutingAssembly().GetManifestResourceStream("SemiGan.Fonts." + file)
            ?? throw new InvalidOperationException($"embedded font {file} missing from the build");
        string tmp = path + "." + Environment.ProcessId + ".tmp";
        using (var f = File.Create(tmp)) res.CopyTo(f);
        File.Move(tmp, path, overwrite: true);
        return path;
    }
}
