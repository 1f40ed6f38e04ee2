namespace SemiGan.Training;

/// <summary>
/// One epoch as the harness orders it, for a method to train on: its steps (training-set indices, see
/// <see cref="BatchSchedule"/>) and how each becomes a <see cref="Batch"/> of tensors, made inside the step's dispose scope.
/// </summary>
public sealed record EpochData(int Epoch, IEnumerable<Step> Steps, int StepCount, Func<Step, int, Batch> MakeBatch, Action? OnStep);
