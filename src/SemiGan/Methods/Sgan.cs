using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// The semi-supervised GAN: a K+1-class discriminator trained on the labeled images' cross-entropy plus
/// the real/fake loss, against a generator (losses: <see cref="SganLosses"/>; step: <see cref="SganTrainer"/>).
/// </summary>
public sealed class Sgan : IMethod
{
    public string Name => "sgan";
    public string DisplayName => "SGAN";

    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Sgan];
    public IReadOnlyList<string> Options => ["bnStats"];

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Models.Classifier d;
        readonly Models.ImageGenerator g;
        readonly SganTrainer trainer;
        readonly Tensor? z;

        public Run(MethodContext c) : base(c.Settings)
        {
            var s = c.Settings;
            d = SeededClassifier(c);
            g = Models.Architectures.Generator(s.Architecture, s.LatentDim, c.Implementation, c.Shape);
            g.to(c.Device);
            trainer = new SganTrainer(d, g, c.Run.Head, s.LearningRate, s.Beta1, s.Beta2, c.Device, c.Implementation, s.WeightDecay, s.BatchNormFromRealOnly);
            // Fixed latent vectors per seed, from their own generator so sampling never shifts the training stream.
            if (c.Settings.SampleCount > 0)
                z = randn(c.Settings.SampleCount, c.Settings.LatentDim, generator: new torch.Generator((ulong)c.Run.Seed));
        }

        public override Models.Classifier Classifier => d;
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => trainer.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

        protected override EpochLosses TrainEpoch(EpochData e) => trainer.TrainEpoch(e.Steps, e.Images, e.Labels, e.OnStep, e.AfterUpdate);

        public override float[]? Samples() => z is null ? null : trainer.Sample(z);

        public override void Dispose()
        {
            trainer.Dispose(); z?.Dispose(); g.Dispose(); d.Dispose();
        }
    }
}
