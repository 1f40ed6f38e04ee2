using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// Virtual adversarial training (Miyato et al. 2018): the classifier learns from its labeled images and is made
/// smooth around every unlabeled image in the direction its prediction is most sensitive to. Each step:
/// cross-entropy on a full labeled batch; on the step's unlabeled images x, p = p(y|x) held constant, the
/// virtual adversarial perturbation r_adv found by one power iteration (<see cref="Perturbation"/>), and
/// α × KL(p ‖ p(y|x + r_adv)); with <c>entMin</c>, also the entropy of p(y|x) (VAT+EntMin).
/// The perturbed passes reuse the clean pass's dropout masks (the difference they measure is the perturbation's,
/// not dropout's) and leave batch norm's running statistics alone (they normalise with their own batch's).
/// </summary>
public sealed class Vat : IMethod
{
    public string Name => "vat";
    public string DisplayName => "VAT";
    public Type OptionsType => typeof(VatOptions);

    public MethodRun Start(MethodContext c) => new Run(c);

    public const string VatLossName = "vat", EntropyName = "entropy";

    /// <summary>KL(p ‖ q) per image, batch mean: Σ_k p_k (log p_k − log q_k), with log p given and q = softmax(<paramref name="logitsQ"/>).</summary>
    public static Tensor Kl(Tensor logP, Tensor logitsQ) =>
        (logP.exp() * (logP - nn.functional.log_softmax(logitsQ, 1))).sum(1).mean();

    /// <summary>Entropy of softmax(<paramref name="logits"/>) per image, batch mean: −Σ_k p_k log p_k.</summary>
    public static Tensor Entropy(Tensor logits)
    {
        var logP = nn.functional.log_softmax(logits, 1);
        return -(logP.exp() * logP).sum(1).mean();
    }

    /// <summary>Each image's tensor divided by its L2 norm over all its elements (0 stays 0); scaled by its largest |entry| first, so tiny gradients do not underflow.</summary>
    public static Tensor UnitPerImage(Tensor v)
    {
        var flat = v.flatten(1);
        flat = flat / flat.abs().amax([1], keepdim: true).clamp_min(1e-30);
        return (flat / flat.norm(1, keepdim: true).clamp_min(1e-30)).view_as(v);
    }

    /// <summary>A random direction per image: N(0, I) from torch's stream, unit L2 norm per image.</summary>
    public static Tensor RandomUnit(Tensor like) => UnitPerImage(randn_like(like));

    /// <summary>
    /// One power iteration: with r = ξ·d (d a unit direction per image), g = ∂ KL(p ‖ p(x + r)) / ∂r, and
    /// r_adv = ε · g / ‖g‖ per image (a constant). <paramref name="logits"/> maps images to class logits;
    /// <paramref name="logP"/> is log p(y|x), a constant. Parameter gradients are not touched. Always in float32:
    /// the probe ξ·d moves a pixel by about 4e-4, below bfloat16's spacing near 1 (2^-7), and the KL it measures
    /// (about ξ²) is below the gap between a bf16 and a float32 prediction; so under bf16 the clean prediction is
    /// taken again in float32 and the iteration runs in float32.
    /// </summary>
    public static Tensor Perturbation(Func<Tensor, Tensor> logits, Tensor x, Tensor logP, Tensor d, double xi, double epsilon)
    {
        bool bf16 = Autocast.Bf16;
        using var float32 = Autocast.Use(Precision.Fp32);
        if (bf16)
            using (no_grad()) logP = nn.functional.log_softmax(logits(x), 1);
        var r = (xi * d).detach().requires_grad_(true);
        var g = autograd.grad([Kl(logP, logits(x + r))], [r])[0];
        return (epsilon * UnitPerImage(g)).detach();
    }

    sealed class Run : MethodRun
    {
        readonly Classifier d;
        readonly TorchSharp.Modules.Adam optimizer;
        readonly VatOptions o;

        public Run(MethodContext c) : base(c)
        {
            o = c.Options<VatOptions>();
            d = SeededClassifier();
            optimizer = AdamFor(d);
        }

        public override Classifier Classifier => d;
        public override DataNeeds Needs => new() { Labeled = LabeledSource.FullBatches };
        public override IEnumerable<string> GradientDerivedLosses => [VatLossName];
        // The entropy only where it is trained on: a loss never taken would be a column of blanks.
        public override IReadOnlyList<string> LossNames => o.EntMin ? [SganLosses.SupervisedName, VatLossName, EntropyName] : [SganLosses.SupervisedName, VatLossName];
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => [("discriminator", d)];
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optimizer)];

        public override StepResult Step(Batch b)
        {
            ClearGradients(d, optimizer);
            var supervised = SganLosses.Supervised(d.forward(b.LabeledImages), b.Labels, d.Head);

            var x = b.Unlabeled;
            var direction = RandomUnit(x);
            // Dropout (and the MLP's noise) draw from torch's stream: the perturbed passes start from the
            // clean pass's state, so they draw its masks, and the stream ends where the clean pass left it.
            using var masks = random.get_rng_state();
            var logits = SganLosses.ClassLogits(d.forward(x), d.Head);
            var logP = nn.functional.log_softmax(logits.detach(), 1);
            Tensor Perturbed(Tensor input)
            {
                random.set_rng_state(masks);
                return SganLosses.ClassLogits(d.forward(input), d.Head);
            }
            // Put back after the backward pass: batch norm's backward checks the statistics it saved are unchanged.
            using var kept = RunningStats.Keep(d, true);
            var rAdv = Perturbation(Perturbed, x, logP, direction, o.Xi, o.Epsilon);
            var vat = Kl(logP, Perturbed(x + rAdv));
            var loss = supervised + o.Weight * vat;
            List<(string, Tensor?)> losses = [(SganLosses.SupervisedName, supervised), (VatLossName, vat)];
            if (o.EntMin)
            {
                var entropy = Entropy(logits);
                loss += entropy;
                losses.Add((EntropyName, entropy));
            }
            Minimise(optimizer, loss);
            return new(losses, b.Indices.Real.Length, b.LabeledCount);
        }

        public override void Dispose() { optimizer.Dispose(); d.Dispose(); }
    }
}

/// <summary>
/// VAT's own options, in this harness's pixel units: images are in [-1,1], twice the [0,1] scale of Miyato et
/// al.'s MNIST, so a perturbation's norm here is twice theirs (ε 4 here is their 2).
/// </summary>
public sealed record VatOptions
{
    /// <summary>
    /// ξ, the power iteration's probe length (Miyato et al.: 1e-6). 1e-2 here: in float32, on pixels at −1,
    /// a 1e-6 probe (about 4e-8 per pixel) drowns in rounding and its direction is noise (docs/methods.md).
    /// </summary>
    [Range(0, double.PositiveInfinity, MinOpen = true)] public double Xi { get; init; } = 1e-2;
    /// <summary>ε, the adversarial perturbation's L2 norm per image (Miyato et al., MNIST: 2 in [0,1] units, 4 here).</summary>
    [Range(0, double.PositiveInfinity)] public double Epsilon { get; init; } = 4;
    /// <summary>α, the VAT loss's weight (Miyato et al.: 1).</summary>
    [Range(0, double.PositiveInfinity)] public double Weight { get; init; } = 1;
    /// <summary>VAT+EntMin: add the entropy of p(y|x) on the unlabeled images.</summary>
    public bool EntMin { get; init; }
}
