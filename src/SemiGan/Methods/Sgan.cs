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

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Models.Discriminator d;
        readonly Models.Generator g;
        readonly SganTrainer trainer;
        readonly Tensor? z;

        public Run(MethodContext c)
        {
            d = SeededClassifier(c);
            g = new Models.Generator(c.Settings.LatentDim, c.Implementation, c.Shape);
            g.to(c.Device);
            trainer = new SganTrainer(d, g, c.Run.Head, c.Settings.LearningRate, c.Settings.Beta1, c.Settings.Beta2, c.Device, c.Implementation);
            // Fixed latent vectors per seed, from their own generator so sampling never shifts the training stream.
            if (c.Settings.SampleCount > 0)
                z = randn(c.Settings.SampleCount, c.Settings.LatentDim, generator: new torch.Generator((ulong)c.Run.Seed));
        }

        public override Models.Discriminator Classifier => d;
        public override IEnumerable<(string Name, nn.Module Module)> Modules => trainer.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

        public override EpochLosses TrainEpoch(EpochData e) => trainer.TrainEpoch(e.Steps, e.Images, e.Labels, e.OnStep);

        public override float[]? Samples() => z is null ? null : trainer.Sample(z);

        public override void Dispose()
        {
            trainer.Dispose(); z?.Dispose(); g.Dispose(); d.Dispose();
        }
    }
}
