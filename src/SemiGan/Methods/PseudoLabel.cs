using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// Pseudo-Label (Lee 2013): the classifier learns from its labeled images and from unlabeled ones labeled with its
/// own predictions. Each step: cross-entropy on a full labeled batch, plus α(t) × cross-entropy on the step's
/// unlabeled images against their own argmax, where the prediction is confident enough (max softmax ≥ τ; Lee kept
/// every one, τ = 0, and later variants a confident few). α ramps linearly from 0 to α_f between two points of the
/// run, as Lee's schedule (0 until epoch T1, α_f from T2) does over his; here as fractions of the run's steps.
/// The targets come from the same training-mode pass (dropout on), without gradient, as "their own predictions".
/// </summary>
public sealed class PseudoLabel : IMethod
{
    public string Name => "pseudo-label";
    public string DisplayName => "Pseudo-Label";
    public Type OptionsType => typeof(PseudoLabelOptions);

    public MethodRun Start(MethodContext c) => new Run(c);

    public const string UnlabeledLossName = "pseudo_label";

    /// <summary>
    /// The unlabeled loss: cross-entropy of <paramref name="logits"/> against their own argmax, counted where the
    /// softmax's maximum is at least <paramref name="threshold"/>, averaged over the whole batch (kept or not).
    /// </summary>
    public static Tensor Loss(Tensor logits, double threshold)
    {
        Tensor targets, keep;
        using (no_grad())
        {
            var (confidence, argmax) = nn.functional.softmax(logits, 1).max(1);
            (targets, keep) = (argmax, confidence.ge(threshold).to_type(logits.dtype));
        }
        return (nn.functional.cross_entropy(logits, targets, reduction: nn.Reduction.None) * keep).mean();
    }

    /// <summary>α at <paramref name="progress"/> (0 at the run's start, 1 at its end): 0 before the ramp, α_f after it, linear between (a step where start ≥ end).</summary>
    public static double Weight(double progress, PseudoLabelOptions o) =>
        progress <= o.RampStart ? 0 : progress >= o.RampEnd ? o.Weight : o.Weight * (progress - o.RampStart) / (o.RampEnd - o.RampStart);

    sealed class Run : MethodRun
    {
        readonly Classifier d;
        readonly TorchSharp.Modules.Adam optimizer;
        readonly PseudoLabelOptions o;

        public Run(MethodContext c) : base(c)
        {
            o = c.Options<PseudoLabelOptions>();
            d = SeededClassifier();
            optimizer = AdamFor(d);
        }

        public override Classifier Classifier => d;
        public override DataNeeds Needs => new() { Labeled = LabeledSource.FullBatches };
        public override IReadOnlyList<string> LossNames => [SganLosses.SupervisedName, UnlabeledLossName];
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => [("discriminator", d)];
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optimizer)];

        public override StepResult Step(Batch b)
        {
            ClearGradients(d, optimizer);
            var supervised = SganLosses.Supervised(d.forward(b.LabeledImages), b.Labels, d.Head);
            var unlabeled = Loss(SganLosses.ClassLogits(d.forward(b.Unlabeled), d.Head), o.Threshold);
            double alpha = Weight(b.Progress(Context.Settings.Epochs), o);
            Minimise(optimizer, supervised + alpha * unlabeled);
            return new([(SganLosses.SupervisedName, supervised), (UnlabeledLossName, unlabeled)], b.Indices.Real.Length, b.LabeledCount);
        }

        public override void Dispose() { optimizer.Dispose(); d.Dispose(); }
    }
}

/// <summary>Pseudo-Label's own options (Lee 2013's values where he gave one).</summary>
public sealed record PseudoLabelOptions
{
    /// <summary>α_f, the unlabeled loss's final weight (Lee: 3).</summary>
    [Range(0, double.PositiveInfinity)] public double Weight { get; init; } = 3;
    /// <summary>τ: an unlabeled image counts where its prediction's largest probability is at least this (0: every one, as Lee).</summary>
    [Range(0, 1)] public double Threshold { get; init; } = 0.95;
    /// <summary>Where α starts to rise, as a fraction of the run's steps (Lee: epoch 100).</summary>
    [Range(0, 1)] public double RampStart { get; init; } = 0.1;
    /// <summary>Where α reaches α_f, as a fraction of the run's steps (Lee: epoch 600).</summary>
    [Range(0, 1)] public double RampEnd { get; init; } = 0.6;
}
