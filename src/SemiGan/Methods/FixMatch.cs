using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// FixMatch (Sohn et al. 2020): each step takes B labeled images (a full batch) and μ·B unlabeled ones. The
/// labeled images are seen weakly augmented; each unlabeled image in two views, weak (translation) and strong
/// (translation, RandAugment, Cutout). The pseudo-label of an unlabeled image is the argmax of the classifier's
/// softmax on its weak view, kept where that softmax's maximum is at least τ; the strong view is trained towards
/// it by cross-entropy. Loss: cross-entropy on the labeled batch + λ_u × the masked cross-entropy averaged over all
/// μ·B unlabeled images. As in the paper's code, the three batches go through the network in one pass (so batch
/// norm normalises over all of them) and the weak view's logits of that same pass give the pseudo-labels, with
/// the gradient stopped. Evaluation on an exponential average of the weights (the recipe's <c>ema</c>).
/// </summary>
public sealed class FixMatch : IMethod
{
    public string Name => "fixmatch";
    public string DisplayName => "FixMatch";
    public Type OptionsType => typeof(FixMatchOptions);

    /// <summary>The paper evaluates an EMA of the weights at decay 0.999: rate 1 − 0.999 per optimizer step.</summary>
    public MethodOptions Defaults => new() { Ema = 0.001 };

    public MethodRun Start(MethodContext c) => new Run(c);

    /// <summary>The unlabeled loss's name; <see cref="MaskRateName"/> is the fraction of unlabeled images kept, logged beside the losses (not a loss).</summary>
    public const string UnlabeledLossName = "fixmatch", MaskRateName = "mask_rate";

    /// <summary>
    /// The step's losses from the output of its one pass over [labeled; weak unlabeled; strong unlabeled]
    /// (<paramref name="labels"/> gives the labeled count; the rest splits into two equal halves): the labeled
    /// cross-entropy, and <see cref="Unlabeled"/>'s loss and mask rate on the two halves' class logits.
    /// </summary>
    public static (Tensor Supervised, Tensor Unlabeled, Tensor MaskRate) Losses(Tensor output, Tensor labels, KPlusOneHead head, double threshold)
    {
        long labeled = labels.shape[0], rest = output.shape[0] - labeled;
        if (rest < 0 || rest % 2 != 0) throw new ArgumentException($"{output.shape[0]} rows are not {labeled} labeled plus two equal unlabeled views", nameof(output));
        var supervised = SganLosses.Supervised(output.narrow(0, 0, labeled), labels, head);
        var logits = SganLosses.ClassLogits(output, head);
        var (unlabeled, rate) = Unlabeled(logits.narrow(0, labeled, rest / 2), logits.narrow(0, labeled + rest / 2, rest / 2), threshold);
        return (supervised, unlabeled, rate);
    }

    /// <summary>
    /// The unlabeled loss: cross-entropy of <paramref name="strong"/> against argmax softmax(<paramref name="weak"/>),
    /// counted where max softmax(weak) ≥ <paramref name="threshold"/> (compared in the logits' precision, so a
    /// float32 softmax equal to float32(τ) counts), averaged over all rows, kept or not. The pseudo-labels and the
    /// mask are constants (no gradient reaches <paramref name="weak"/>). Also the fraction of rows kept.
    /// </summary>
    public static (Tensor Loss, Tensor MaskRate) Unlabeled(Tensor weak, Tensor strong, double threshold)
    {
        Tensor targets, keep;
        using (no_grad())
        {
            var (confidence, argmax) = nn.functional.softmax(weak.detach(), 1).max(1);
            (targets, keep) = (argmax, confidence.ge(threshold).to_type(strong.dtype));
        }
        return ((nn.functional.cross_entropy(strong, targets, reduction: nn.Reduction.None) * keep).mean(), keep.mean());
    }

    sealed class Run : MethodRun
    {
        readonly Classifier d;
        readonly TorchSharp.Modules.Adam optimizer;
        readonly FixMatchOptions o;

        public Run(MethodContext c) : base(c)
        {
            o = c.Options<FixMatchOptions>();
            d = SeededClassifier();
            optimizer = AdamFor(d);
        }

        public override Classifier Classifier => d;
        public override DataNeeds Needs => new()
        {
            Labeled = LabeledSource.FullBatches,
            UnlabeledRatio = o.Mu,
            LabeledViews = [Augmentation.Weak],
            UnlabeledViews = [Augmentation.Weak, Augmentation.Strong],
        };
        public override IReadOnlyList<string> LossNames => [SganLosses.SupervisedName, UnlabeledLossName, MaskRateName];
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => [("discriminator", d)];
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optimizer)];

        public override StepResult Step(Batch b)
        {
            ClearGradients(d, optimizer);
            var output = d.forward(cat([b.LabeledView(0), b.View(0), b.View(1)], 0));
            var (supervised, unlabeled, kept) = Losses(output, b.Labels, d.Head, o.Threshold);
            Minimise(optimizer, supervised + o.LambdaU * unlabeled);
            return new([(SganLosses.SupervisedName, supervised), (UnlabeledLossName, unlabeled), (MaskRateName, kept)], b.Indices.Real.Length, b.LabeledCount);
        }

        public override void Dispose() { optimizer.Dispose(); d.Dispose(); }
    }
}

/// <summary>FixMatch's own options (Sohn et al. 2020's values).</summary>
public sealed record FixMatchOptions
{
    /// <summary>μ: unlabeled images per labeled image in a step (streams protocol; the masked protocol's batch is its own).</summary>
    [Range(1, 64)] public int Mu { get; init; } = 7;
    /// <summary>τ: an unlabeled image counts where the largest probability of its weak view's prediction is at least this.</summary>
    [Range(0, 1)] public double Threshold { get; init; } = 0.95;
    /// <summary>λ_u, the unlabeled loss's weight.</summary>
    [Range(0, double.PositiveInfinity)] public double LambdaU { get; init; } = 1;
}
