using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// The supervised CNN a careful researcher would run: the same discriminator and initial weights as every
/// other method at a seed, trained by cross-entropy on full batches of labeled images (the labeled set
/// cycled and reshuffled), so batch norm always sees a full batch. As many steps per epoch as the other
/// methods take. Its optimizer settings are its own (methodSettings), chosen on the validation split.
/// </summary>
public sealed class Supervised : IMethod
{
    public string Name => "supervised";
    public string DisplayName => "Supervised (full labeled batches)";
    public Type OptionsType => typeof(SupervisedOptions);

    public MethodRun Start(MethodContext c) => new SupervisedRun(c, new() { Labeled = LabeledSource.FullBatches, UnlabeledRatio = 0 },
        c.Options<SupervisedOptions>().Noise, wholeBatch: false, c.Options<SupervisedOptions>().AdamEps);
}

/// <summary>The supervised CNN's own options.</summary>
public sealed record SupervisedOptions
{
    /// <summary>Gaussian noise in the classifier in training, as fm-gan's discriminator has it (<see cref="InputNoise"/>): a fair match for it, e.g. on the MLP.</summary>
    public bool Noise { get; init; }

    /// <summary>
    /// Adam's ε (torch's 1e-8), added to √v̂ in its step's denominator: a larger one damps the step of a weight whose
    /// gradient has become small, which at 100 labels (a loss near 0) is mostly the weight-decay term (docs/collapse-diagnosis.md).
    /// </summary>
    [Range(0, 1, MinOpen = true)] public double AdamEps { get; init; } = 1e-8;
}

/// <summary>
/// The classifier alone, trained by cross-entropy on each step's labeled images: the supervised CNN and the
/// walkthrough's baseline differ only in which labeled images a step holds (<see cref="DataNeeds"/>) and, for the
/// baseline's whole-batch reading, in sending the step's whole batch through the network (so batch norm
/// normalises over all of it) with the loss over its labeled images only.
/// </summary>
public sealed class SupervisedRun : MethodRun
{
    readonly Classifier d;
    readonly TorchSharp.Modules.Adam optimizer;
    readonly DataNeeds needs;
    readonly double inputNoise;
    readonly bool wholeBatch;

    public SupervisedRun(MethodContext c, DataNeeds needs, bool noise, bool wholeBatch, double adamEps = 1e-8) : base(c)
    {
        (this.needs, this.wholeBatch, inputNoise) = (needs, wholeBatch, noise ? InputNoise.Sigma : 0);
        d = SeededClassifier(noise ? InputNoise.HiddenSigma : 0);
        optimizer = AdamFor(d);
        foreach (var group in optimizer.ParamGroups.Cast<TorchSharp.Modules.ParamGroup>()) ((TorchSharp.Modules.Adam.Options)group.Options).eps = adamEps;
    }

    public override Classifier Classifier => d;
    public override DataNeeds Needs => needs;
    public override IReadOnlyList<string> LossNames => [SganLosses.SupervisedName];
    protected override IEnumerable<(string Name, nn.Module Module)> Networks => [("discriminator", d)];
    public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optimizer)];

    public override StepResult? Step(Batch b)
    {
        // Masked protocol: a batch with no labeled image gives the classifier nothing to learn from.
        if (b.LabeledCount == 0) return null;
        ClearGradients(d, optimizer);
        bool whole = wholeBatch && b.LabeledPositions is not null;
        var output = whole
            ? d.forward(InputNoise.Add(b.Unlabeled, inputNoise)).index_select(0, tensor(b.LabeledPositions!, device: b.Labels.device))
            : d.forward(InputNoise.Add(b.LabeledImages, inputNoise));
        var loss = SganLosses.Supervised(output, b.Labels, d.Head);
        Minimise(optimizer, loss);
        return new([(SganLosses.SupervisedName, loss)], whole ? b.Indices.Real.Length : b.LabeledCount, b.LabeledCount);
    }

    public override void Dispose() { optimizer.Dispose(); d.Dispose(); }
}
