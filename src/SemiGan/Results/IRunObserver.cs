using SemiGan.Training;

namespace SemiGan.Results;

/// <summary>
/// What a run produces besides its CSV rows, handed to whoever draws it: the runner trains and records,
/// the caller (the CLI, with the reports layer) draws charts and sample grids.
/// </summary>
public interface IRunObserver
{
    /// <summary>Generator samples (host floats in [-1,1], count images of height x width) after an epoch; final after the last one.</summary>
    void Samples(RunSpec run, int epoch, bool final, float[] pixels, int count, int height, int width);

    /// <summary>
    /// An epoch's row once it can no longer be re-run: after its checkpoint is saved, or after its run has ended
    /// (diverged). A resumed run therefore never reports an epoch twice. Comes after that epoch's <see cref="Samples"/>.
    /// </summary>
    void Epoch(RunSpec run, EpochRecord row) { }

    /// <summary>A run has ended (finished or diverged); <paramref name="rows"/> are all of this invocation's rows so far.</summary>
    void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows);
}

/// <summary>Several observers, told in order.</summary>
public sealed class RunObservers(params IRunObserver[] observers) : IRunObserver
{
    public void Samples(RunSpec run, int epoch, bool final, float[] pixels, int count, int height, int width)
    {
        foreach (var o in observers) o.Samples(run, epoch, final, pixels, count, height, width);
    }

    public void Epoch(RunSpec run, EpochRecord row)
    {
        foreach (var o in observers) o.Epoch(run, row);
    }

    public void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows)
    {
        foreach (var o in observers) o.RunEnded(run, rows);
    }
}
