using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Results;

/// <summary>
/// Writes each run's epochs as TensorBoard event files under tensorboard/&lt;run id&gt;/ (TorchSharp's SummaryWriter),
/// at global step = epoch: test/accuracy and test/loss, validation/accuracy and validation/loss when the experiment
/// holds out a validation split, train/&lt;name&gt;_loss for every loss the method reports (the epochs.csv columns),
/// progress/iterations and progress/epoch_seconds, and the generator's sample grid as the image "samples" after the
/// epochs a run draws one. The x axis is the epoch, as in epochs.csv, because it is the one every method of a seed shares
/// (their optimizer steps per epoch differ); the iteration count is logged beside it.
/// Every invocation that trains a run adds a new event file (TensorBoard reads them as one run). An epoch is written only
/// once it can no longer be re-run (<see cref="IRunObserver.Epoch"/>), so a resumed run never logs a step twice.
/// </summary>
public sealed class TensorBoardLog(RunOutput output) : IRunObserver
{
    readonly Dictionary<string, TorchSharp.Modules.SummaryWriter> writers = [];
    readonly Dictionary<(string Run, int Epoch), (float[] Pixels, int Count, int Height, int Width)> samples = [];

    public const string SamplesTag = "samples";

    /// <summary>Kept until the epoch's row comes: the epoch may still be re-run after a crash.</summary>
    public void Samples(RunSpec run, int epoch, bool final, float[] pixels, int count, int height, int width) =>
        samples[(run.Id, epoch)] = (pixels, count, height, width);

    public void Epoch(RunSpec run, EpochRecord row)
    {
        if (!writers.TryGetValue(run.Id, out var w))
            writers[run.Id] = w = torch.utils.tensorboard.SummaryWriter(output.TensorBoardFolder(run));
        int step = row.Epoch;
        foreach (var (tag, value) in Scalars(row)) w.add_scalar(tag, (float)value, step);
        if (samples.Remove((run.Id, row.Epoch), out var s))
        {
            using var grid = Grid(s.Pixels, s.Count, s.Height, s.Width);
            w.add_img(SamplesTag, grid, step, dataformats: "CHW");
        }
    }

    public void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows)
    {
        writers.Remove(run.Id);
        foreach (var key in samples.Keys.Where(k => k.Run == run.Id).ToList()) samples.Remove(key);
    }

    /// <summary>The scalars of one epoch by tag (absent values, like a method's inapplicable loss, left out).</summary>
    public static IEnumerable<(string Tag, double Value)> Scalars(EpochRecord row)
    {
        if (row.TestAccuracy is { } ta) yield return ("test/accuracy", ta);
        if (row.TestLoss is { } tl) yield return ("test/loss", tl);
        if (row.ValidationAccuracy is { } va) yield return ("validation/accuracy", va);
        if (row.ValidationLoss is { } vl) yield return ("validation/loss", vl);
        foreach (var (name, value) in row.Losses.Items)
            if (value is { } v) yield return ($"train/{name}_loss", v);
        yield return ("progress/iterations", row.Iterations);
        yield return ("progress/epoch_seconds", row.EpochSeconds);
    }

    /// <summary>The samples (values in [-1,1]) as one grey image [1, H, W] in [0,1]: a square-ish grid, 2-pixel grey gaps.</summary>
    public static Tensor Grid(float[] pixels, int count, int height, int width)
    {
        const int gap = 2;
        int columns = (int)Math.Ceiling(Math.Sqrt(count)), rows = (count + columns - 1) / columns;
        int gridW = columns * (width + gap) + gap, gridH = rows * (height + gap) + gap;
        var grid = new float[gridH * gridW];
        Array.Fill(grid, 0.25f);
        for (int n = 0; n < count; n++)
        {
            int ox = gap + (n % columns) * (width + gap), oy = gap + (n / columns) * (height + gap);
            for (int y = 0; y < height; y++)
                for (int x = 0; x < width; x++)
                    grid[(oy + y) * gridW + ox + x] = Math.Clamp((pixels[(n * height + y) * width + x] + 1f) / 2f, 0f, 1f);
        }
        return tensor(grid, [1, gridH, gridW]);
    }
}
