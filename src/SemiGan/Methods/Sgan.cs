using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// The semi-supervised GAN (Odena 2016; Salimans et al. 2016): a K+1-class discriminator trained on the labeled
/// images' cross-entropy plus the real/fake loss, against a generator trained with the non-saturating loss
/// (losses: <see cref="SganLosses"/>; D and G updates: <see cref="Gan"/>).
/// </summary>
public sealed class Sgan : IMethod
{
    public string Name => "sgan";
    public string DisplayName => "SGAN";
    public Type OptionsType => typeof(SganOptions);

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Gan gan;
        readonly KPlusOneHead head;
        readonly bool realStatsOnly;
        readonly Tensor? z;

        public Run(MethodContext c) : base(c)
        {
            var s = c.Settings;
            head = c.Run.Head;
            realStatsOnly = c.Options<SganOptions>().BnStats == "real";
            var d = SeededClassifier();
            var g = Architectures.Generator(s.Architecture, s.LatentDim, c.Implementation, c.Shape);
            g.to(c.Device);
            gan = new Gan(d, g, s.LearningRate, s.Beta1, s.Beta2, c.Device, c.Implementation, s.WeightDecay, realStatsOnly);
            // Fixed latent vectors per seed, from their own generator so sampling never shifts the training stream.
            if (s.SampleCount > 0) z = randn(s.SampleCount, s.LatentDim, generator: new torch.Generator((ulong)c.Run.Seed));
        }

        public override Classifier Classifier => gan.D;
        public override IReadOnlyList<string> LossNames => [SganLosses.SupervisedName, SganLosses.UnsupervisedName, SganLosses.GeneratorName];
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => gan.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => gan.Optimizers;
        public override IEnumerable<string> ComparableGradients => ["generator"];

        public override StepResult Step(Batch b)
        {
            var D = gan.D;
            var fake = gan.Generate(b.Indices.Real.Length);
            // The labeled batch's own pass (streams) is a real batch too. With bnStats real it goes before
            // Discriminate keeps the statistics, which putting them back would otherwise undo; without the
            // option it stays after D's real/fake pass, the order of the random draws the committed runs made.
            bool ownPass = b.LabeledCount > 0 && b.LabeledPositions is null;
            Tensor? outLabeled = ownPass && realStatsOnly ? D.forward(b.LabeledImages) : null;

            // D: real images towards "real", generated ones towards "fake", labeled ones towards their class.
            var (outReal, outFake, kept) = gan.Discriminate(b.Unlabeled, () => fake.detach());
            var unsupervised = SganLosses.Unsupervised(outReal, outFake, head);
            Tensor? supervised = null;
            if (b.LabeledCount > 0)
            {
                outLabeled ??= b.LabeledPositions is { } pos
                    ? outReal.index_select(0, tensor(pos, device: outReal.device)) // masked: reuse the real batch's pass
                    : D.forward(b.LabeledImages);
                supervised = SganLosses.Supervised(outLabeled, b.Labels, head);
            }
            gan.UpdateDiscriminator(supervised is null ? unsupervised : unsupervised + supervised, kept);

            // G: fool the updated D.
            var generator = gan.UpdateGenerator(() => SganLosses.Generator(D.forward(fake), head));
            return new([(SganLosses.SupervisedName, supervised), (SganLosses.UnsupervisedName, unsupervised), (SganLosses.GeneratorName, generator)],
                b.Indices.Real.Length, b.LabeledCount);
        }

        public override float[]? Samples() => z is null ? null : gan.Sample(z);

        public override void Dispose() { gan.Dispose(); z?.Dispose(); gan.G.Dispose(); gan.D.Dispose(); }
    }
}

/// <summary>The SGAN's own options.</summary>
public sealed record SganOptions
{
    /// <summary>"all": batch norm's running statistics see real and generated batches; "real": only real ones move them.</summary>
    [Choices("all", "real"), NeedsBatchNorm] public string BnStats { get; init; } = "all";
}
