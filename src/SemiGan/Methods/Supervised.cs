using SemiGan.Training;

namespace SemiGan.Methods;

/// <summary>
/// The supervised CNN a careful researcher would run: the same discriminator and initial weights as every
/// other method at a seed, trained by cross-entropy on full batches of labeled images (the labeled set
/// cycled and reshuffled), so batch norm always sees a full batch. As many steps per epoch as the other
/// methods take. Its optimizer settings are its own (methodSettings), chosen on the validation split
/// (experiments/tune-supervised.json).
/// </summary>
public sealed class Supervised : IMethod
{
    public string Name => "supervised";
    public string DisplayName => "Supervised (full labeled batches)";
    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Supervised];

    public IReadOnlyList<string> Options => ["noise"]; // a fair match for fm-gan's noisy discriminator, e.g. on the MLP

    public MethodRun Start(MethodContext c) =>
        new SupervisedRun(c, e => e.LabeledBatches.Take(e.StepCount).Select(batch => new Step([], batch, null)));
}
