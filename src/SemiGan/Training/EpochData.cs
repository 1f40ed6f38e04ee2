using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// One epoch as the harness orders it, for a method to train on: the epoch's steps (see
/// <see cref="BatchSchedule"/>), and full batches of labeled images (the labeled set cycled and reshuffled
/// every pass, seeded by seed and epoch) for methods that want them. The images and labels tensors are
/// the whole training set; steps hold indices into them.
/// </summary>
public sealed record EpochData(int Epoch, IEnumerable<Step> Steps, int StepCount, IEnumerable<long[]> LabeledBatches,
    Tensor Images, Tensor Labels, Action? OnStep)
{
    /// <summary>Called after each optimizer step (the weight average's update); OnStep is called after every step of the epoch.</summary>
    public Action? AfterUpdate { get; init; }
}
