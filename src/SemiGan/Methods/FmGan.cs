using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// Feature matching, Salimans et al. (2016) "Improved Techniques for Training GANs": the K+1 discriminator
/// (gan_logit form) takes ½-weighted real/fake losses beside the labeled cross-entropy, and the generator
/// matches the mean of D's penultimate features on real data. Recipe defaults: Adam lr 3e-3, β1 0.5; Gaussian
/// noise in D; evaluation on Polyak-averaged weights (rate 1e-4 per step). Their MNIST network is the MLP
/// (architecture "mlp"); the default is the CNN every other method shares, so comparisons stay at identical
/// architecture. One deviation: the generator's step compares with the step's unlabeled batch, not a second one.
/// </summary>
public sealed class FmGan : IMethod
{
    public string Name => "fm-gan";
    public string DisplayName => "Feature-matching GAN";
    public Type OptionsType => typeof(FmGanOptions);
    public MethodOptions Defaults => new() { LearningRate = 3e-3, Beta1 = 0.5, Ema = 1e-4 };
    // Its unsupervised loss and ½ weights are the recipe's for the gan_logit form (logits of the K classes, fake = 0).
    public IReadOnlyList<string> Heads => ["gan_logit"];

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Gan gan;
        readonly KPlusOneHead head;
        readonly bool realStatsOnly;
        readonly double inputNoise;
        readonly Tensor? z;

        public Run(MethodContext c) : base(c)
        {
            var s = c.Settings;
            var o = c.Options<FmGanOptions>();
            head = c.Run.Head;
            realStatsOnly = o.BnStats == "real";
            inputNoise = o.Noise ? InputNoise.Sigma : 0;
            var d = SeededClassifier(o.Noise ? InputNoise.HiddenSigma : 0);
            var g = Architectures.Generator(s.Architecture, s.LatentDim, c.Implementation, c.Shape);
            g.to(c.Device);
            gan = new Gan(d, g, s.LearningRate, s.Beta1, s.Beta2, c.Device, c.Implementation, s.WeightDecay, realStatsOnly);
            if (s.SampleCount > 0) // fixed latent vectors per seed, from their own generator (as the SGAN's)
                z = randn(s.SampleCount, s.LatentDim, generator: new torch.Generator((ulong)c.Run.Seed));
        }

        public override Classifier Classifier => gan.D;
        public override IReadOnlyList<string> LossNames => [SganLosses.SupervisedName, SganLosses.UnsupervisedName, SganLosses.FeatureMatchingName];
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => gan.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => gan.Optimizers;
        public override IEnumerable<string> ComparableGradients => ["generator"];

        Tensor Noisy(Tensor x) => InputNoise.Add(x, inputNoise);

        public override StepResult Step(Batch b)
        {
            var D = gan.D;
            var fake = gan.Generate(b.Indices.Real.Length);
            // The labeled batch's own pass (streams) comes first, so its noise is drawn first, as in the recipe.
            Tensor? outLabeled = b.LabeledCount > 0 && b.LabeledPositions is null ? D.forward(Noisy(b.LabeledImages)) : null;

            // D: ½·(real/fake loss) on the unlabeled and a generated batch, plus the labeled cross-entropy.
            var (outReal, outFake, kept) = gan.Discriminate(Noisy(b.Unlabeled), () => Noisy(fake.detach()));
            var unsupervised = SganLosses.HalfUnsupervised(outReal, outFake, head);
            Tensor? supervised = null;
            if (b.LabeledCount > 0)
            {
                outLabeled ??= outReal.index_select(0, tensor(b.LabeledPositions!, device: outReal.device)); // masked: reuse the real batch's pass
                supervised = SganLosses.Supervised(outLabeled, b.Labels, head);
            }
            gan.UpdateDiscriminator(supervised is null ? unsupervised : unsupervised + supervised, kept);

            // G: match the mean features of the updated D on real data. The target features are part of G's update,
            // so with bnStats real this pass, too, leaves D's running statistics where D's real pass put them.
            Tensor realFeatures;
            using (RunningStats.Keep(D, realStatsOnly))
            using (no_grad()) realFeatures = D.Features(Noisy(b.Unlabeled));
            var matching = gan.UpdateGenerator(() => SganLosses.FeatureMatching(realFeatures, D.Features(Noisy(fake))));
            return new([(SganLosses.SupervisedName, supervised), (SganLosses.UnsupervisedName, unsupervised), (SganLosses.FeatureMatchingName, matching)],
                b.Indices.Real.Length, b.LabeledCount);
        }

        public override float[]? Samples() => z is null ? null : gan.Sample(z);

        public override void Dispose() { gan.Dispose(); z?.Dispose(); gan.G.Dispose(); gan.D.Dispose(); }
    }
}

/// <summary>Feature matching's own options.</summary>
public sealed record FmGanOptions
{
    /// <summary>"all": batch norm's running statistics see real and generated batches; "real": only real ones move them.</summary>
    [Choices("all", "real"), NeedsBatchNorm] public string BnStats { get; init; } = "all";
    /// <summary>Gaussian noise in the discriminator in training (<see cref="InputNoise"/>), as the recipe.</summary>
    public bool Noise { get; init; } = true;
}
