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

    /// <summary>A run has ended (finished or diverged); <paramref name="rows"/> are all of this invocation's rows so far.</summary>
    void RunEnded(RunSpec run, IReadOnlyList<EpochRecord> rows);
}
