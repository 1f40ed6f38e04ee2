using SemiGan.Training;

namespace SemiGan.Methods;

/// <summary>
/// The seed's supervised baseline: the same classifier (same initial weights at a seed), trained by
/// cross-entropy on the labeled images of the harness's batches (under the masked protocol, the few labeled
/// images a batch of the whole training set holds; a batch without one is no step). Two readings of the
/// seed's mask (option <c>mask</c>): "labeled-only" sends only those images through the network, the
/// seed-like default; "whole-batch" sends the whole batch, so batch norm normalises over 100 images, and
/// masks the loss to the labeled ones.
/// </summary>
public sealed class Baseline : IMethod
{
    public string Name => "baseline";
    public string DisplayName => "Seed-like baseline";
    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Supervised];
    public IReadOnlyList<string> Options => ["mask"];

    public MethodRun Start(MethodContext c) => new SupervisedRun(c, e => e.Steps);
}
