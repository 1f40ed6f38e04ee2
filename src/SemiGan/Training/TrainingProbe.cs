using SemiGan.Models;

namespace SemiGan.Training;

/// <summary>
/// Test-only: what the SGAN and supervised trainers start from and which labeled images each step's
/// supervised loss takes, so tests can check through the runner that every method of a seed starts
/// from the same classifier and reads the same labeled images. Nothing in the program sets it.
/// </summary>
public static class TrainingProbe
{
    /// <summary>A trainer was built around this classifier (before any step, and before a checkpoint is restored).</summary>
    public static Action<Classifier>? Started { get; set; }

    /// <summary>A step of this classifier's trainer takes its supervised loss on these training-set indices, in this order.</summary>
    public static Action<Classifier, long[]>? Labeled { get; set; }
}
