using ScottPlot;
using SkiaSharp;

namespace SemiGan.Reports;

/// <summary>Where a figure's one legend goes: below every panel (the default, leaving the panels the full width), or right of them (always outside every data area).</summary>
public enum LegendPlace { Right, Bottom }

/// <summary>
/// Where a saved figure put its parts, in logical pixels (the SVG's units; the PNG is <see cref="Figure.Scale"/> times larger):
/// every panel's data area, the legend (null without one) and each of its labels' text, the title and the caption, and the
/// title's text as drawn (with the line breaks it was wrapped at). The panels are kept so tests can look at their plottables.
/// </summary>
public sealed record FigureLayout(int Width, int Height, IReadOnlyList<PixelRect> DataRects, PixelRect? LegendRect,
    PixelRect TitleRect, PixelRect CaptionRect, IReadOnlyList<Plot> Panels, IReadOnlyList<PixelRect> LegendLabelRects, string TitleText);

/// <summary>
/// A report figure: a title in words (wrapped to the figure's width), one or more ScottPlot panels in a grid, one legend
/// outside every data area (long entries wrapped, never cut), and a caption saying what the lines, bands and bars are. Written as an SVG of Width x Height and a PNG at
/// <see cref="Scale"/> times that (same layout, twice the pixels).
/// </summary>
public sealed class Figure
{
    public const int Scale = 2;
    const float Margin = 12, Gap = 10;
    const float TitleSize = 20, CaptionSize = 13, LegendSize = 14;

    public required string Title { get; init; }
    public required string Caption { get; init; }
    public required IReadOnlyList<Plot> Panels { get; init; }
    public int Columns { get; init; } = 1;
    public IReadOnlyList<LegendItem> LegendItems { get; init; } = [];
    public LegendPlace Legend { get; init; } = LegendPlace.Bottom;
    public int Width { get; init; } = ChartStyle.Width;
    public int Height { get; init; } = ChartStyle.Height;
    /// <summary>When set, every panel's data area is inset by exactly this much from its cell, so panels line up.</summary>
    public PixelPadding? PanelPadding { get; init; }

    /// <summary>
    /// A figure of one panel per label count: a single panel at the report's size, or a grid of panels sized by
    /// their number (at most 4 columns, rows as needed); the legend below either.
    /// </summary>
    public static Figure OfPanels(string title, string caption, IReadOnlyList<Plot> panels, IReadOnlyList<LegendItem> legend)
    {
        bool multi = panels.Count > 1;
        int columns = ColumnsFor(panels.Count), rowsOfPanels = (panels.Count + columns - 1) / columns;
        return new Figure
        {
            Title = title,
            Caption = caption,
            Panels = panels,
            Columns = columns,
            LegendItems = legend,
            Width = multi ? 40 + columns * 340 : ChartStyle.Width,
            Height = multi ? 150 + rowsOfPanels * 320 : ChartStyle.Height,
            PanelPadding = multi ? new PixelPadding(64, 14, 48, 32) : null,
        };
    }

    public static int ColumnsFor(int panels) => panels <= 3 ? panels : panels == 4 ? 2 : Math.Min(4, (panels + 1) / 2);

    public FigureLayout Save(string pngPath, string svgPath)
    {
        ChartFonts.Ensure();
        foreach (var p in new[] { pngPath, svgPath }) Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(p))!);
        using var paint = Paint.NewDisposablePaint();

        var title = new LabelStyle { FontSize = TitleSize, Bold = true, FontName = ChartFonts.Family, Alignment = Alignment.UpperCenter };
        title.Text = Wrap(title, paint, Title, Width - 2 * Margin);
        var titleSize = title.Measure(paint);
        var titleRect = new PixelRect(Width / 2f - titleSize.Width / 2, Width / 2f + titleSize.Width / 2, Margin + titleSize.Height, Margin);

        var caption = new LabelStyle { FontSize = CaptionSize, FontName = ChartFonts.Family, Alignment = Alignment.LowerLeft, ForeColor = Colors.Black.WithAlpha(0.85) };
        caption.Text = Wrap(caption, paint, Caption, Width - 2 * Margin);
        var captionSize = caption.Measure(paint);
        var captionRect = new PixelRect(Margin, Margin + captionSize.Width, Height - Margin, Height - Margin - captionSize.Height);

        // The area left for panels and legend.
        float top = titleRect.Bottom + Gap, bottom = captionRect.Top - Gap, left = Margin, right = Width - Margin;
        Legend? legend = null;
        PixelRect? legendRect = null;
        LegendLayout? legendLayout = null;
        if (LegendItems.Count > 0)
        {
            legend = new Legend(new Plot())
            {
                IsVisible = true,
                Orientation = Legend == LegendPlace.Right ? Orientation.Vertical : Orientation.Horizontal,
                FontSize = LegendSize,
                FontName = ChartFonts.Family,
                ShadowOffset = new PixelOffset(0, 0),
                ShadowColor = Colors.Transparent,
                OutlineColor = Colors.Black.WithAlpha(0.4),
                DisplayPlottableLegendItems = false,
                SetBestFontOnEachRender = false,
                TightHorizontalWrapping = true,
            };
            float maxWidth = Legend == LegendPlace.Right ? Width / 2f : right - left;
            // An entry wider than the legend may be would be cut: wrap its words instead (the symbol and paddings take LegendChrome).
            var itemStyle = new LabelStyle { FontSize = LegendSize, FontName = ChartFonts.Family };
            foreach (var item in LegendItems) item.LabelText = Wrap(itemStyle, paint, item.LabelText, maxWidth - LegendChrome);
            legend.ManualItems.AddRange(LegendItems);
            legendLayout = legend.GetLayout(new PixelSize(maxWidth, bottom - top), paint);
            var size = legendLayout.Value.LegendRect;
            if (Legend == LegendPlace.Right)
            {
                float x = right - size.Width, y = (top + bottom) / 2 - size.Height / 2;
                legendRect = new PixelRect(x, right, y + size.Height, y);
                right = x - Gap;
            }
            else
            {
                float x = (left + right) / 2 - size.Width / 2, y = bottom - size.Height;
                legendRect = new PixelRect(x, x + size.Width, bottom, y);
                bottom = y - Gap;
            }
        }

        int columns = Math.Max(1, Columns), rows = (Panels.Count + columns - 1) / columns;
        float cellW = (right - left) / columns, cellH = (bottom - top) / rows;
        var cells = Panels.Select((_, i) => new PixelRect(left + i % columns * cellW, left + (i % columns + 1) * cellW,
            top + (i / columns + 1) * cellH, top + i / columns * cellH)).ToArray();
        foreach (var plot in Panels)
        {
            plot.RenderManager.ClearCanvasBeforeEachRender = false;
            plot.Legend.IsVisible = false;
            if (PanelPadding is { } pad) plot.Layout.Fixed(pad);
        }

        void Draw(SKCanvas canvas)
        {
            canvas.Clear(SKColors.White);
            for (int i = 0; i < Panels.Count; i++) Panels[i].Render(canvas, cells[i]);
            title.Render(canvas, new Pixel(Width / 2f, Margin), paint, true);
            caption.Render(canvas, new Pixel(Margin, Height - Margin), paint, true);
            if (legend is not null) legend.Render(canvas, paint, legendRect!.Value, Alignment.UpperLeft);
        }

        using (var surface = SKSurface.Create(new SKImageInfo(Width * Scale, Height * Scale, SKColorType.Rgba8888, SKAlphaType.Premul)))
        {
            surface.Canvas.Scale(Scale);
            Draw(surface.Canvas);
            using var image = surface.Snapshot();
            using var data = image.Encode(SKEncodedImageFormat.Png, 100);
            using var f = File.Create(pngPath);
            data.SaveTo(f);
        }
        // The SVG draws dashed lines solid (Skia's SVG backend has no dashes; markers still tell the methods apart).
        NativeStderr.Silenced(() =>
        {
            using var f = File.Create(svgPath);
            using var canvas = SKSvgCanvas.Create(new SKRect(0, 0, Width, Height), f);
            Draw(canvas);
        });

        // The labels' rectangles as laid out, moved to where the legend was drawn.
        var labelRects = legendLayout is not { } ll ? [] : ll.LabelRects.Select(r => new PixelRect(
            r.Left - ll.LegendRect.Left + legendRect!.Value.Left, r.Right - ll.LegendRect.Left + legendRect.Value.Left,
            r.Bottom - ll.LegendRect.Top + legendRect.Value.Top, r.Top - ll.LegendRect.Top + legendRect.Value.Top)).ToArray();
        return new FigureLayout(Width, Height, Panels.Select(p => p.LastRender.DataRect).ToArray(), legendRect, titleRect, captionRect, Panels, labelRects, title.Text);
    }

    /// <summary>Width a legend entry takes besides its label: symbol, paddings and the frame (ScottPlot's defaults, with room to spare).</summary>
    const float LegendChrome = 90;


    /// <summary>Breaks <paramref name="text"/> at spaces into lines no wider than <paramref name="width"/> (existing line breaks are kept).</summary>
    static string Wrap(LabelStyle style, Paint paint, string text, float width)
    {
        var lines = new List<string>();
        foreach (string paragraph in text.Split('\n'))
        {
            string line = "";
            foreach (string word in paragraph.Split(' '))
            {
                string candidate = line.Length == 0 ? word : line + " " + word;
                if (line.Length > 0 && style.Measure(candidate, paint).Width > width)
                {
                    lines.Add(line);
                    line = word;
                }
                else line = candidate;
            }
            lines.Add(line);
        }
        return string.Join("\n", lines);
    }
}
