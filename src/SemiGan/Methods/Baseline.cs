using SemiGan.Training;

namespace SemiGan.Methods;

/// <summary>
/// The seed's supervised baseline: the same discriminator (same initial weights at a seed), trained by
/// cross-entropy on the labeled images of the harness's batches only (under the masked protocol, the few
/// labeled images a batch of the whole training set holds).
/// </summary>
public sealed class Baseline : IMethod
{
    public string Name => "baseline";
    public string DisplayName => "Baseline CNN";
    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Supervised];

    public MethodRun Start(MethodContext c) => new SupervisedRun(c, e => e.Steps);
}
