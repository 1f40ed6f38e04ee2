using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// Feature matching, Salimans et al. (2016) "Improved Techniques for Training GANs": the K+1 discriminator
/// (gan_logit form) takes ½-weighted real/fake losses beside the labeled cross-entropy, and the generator
/// matches the mean of D's penultimate features on real data (step: <see cref="FeatureMatchingTrainer"/>).
/// Recipe defaults: Adam lr 3e-3, β1 0.5; Gaussian noise in D; evaluation on Polyak-averaged weights
/// (rate 1e-4 per step). Their MNIST network is the MLP (architecture "mlp"); the default is the CNN every
/// other method shares, so comparisons stay at identical architecture.
/// </summary>
public sealed class FmGan : IMethod
{
    public string Name => "fm-gan";
    public string DisplayName => "Feature-matching GAN";
    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.FeatureMatching];
    public IReadOnlyList<string> Options => ["bnStats", "noise"];
    public MethodOptions Defaults => new() { LearningRate = 3e-3, Beta1 = 0.5, Noise = true, Ema = 1e-4 };
    // Its unsupervised loss and ½ weights are the recipe's for the gan_logit form (logits of the K classes, fake = 0).
    public IReadOnlyList<string> Heads => ["gan_logit"];

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Classifier d;
        readonly ImageGenerator g;
        readonly FeatureMatchingTrainer trainer;
        readonly Tensor? z;
        readonly Device device;

        public Run(MethodContext c) : base(c.Settings)
        {
            var s = c.Settings;
            device = c.Device;
            d = SeededClassifier(c);
            g = Architectures.Generator(s.Architecture, s.LatentDim, c.Implementation, c.Shape);
            g.to(c.Device);
            trainer = new FeatureMatchingTrainer(d, g, c.Run.Head, s.LearningRate, s.Beta1, s.Beta2, c.Device, c.Implementation,
                s.WeightDecay, s.BatchNormFromRealOnly, s.InputNoise);
            if (s.SampleCount > 0) // fixed latent vectors per seed, from their own generator (as the SGAN's)
                z = randn(s.SampleCount, s.LatentDim, generator: new torch.Generator((ulong)c.Run.Seed));
        }

        public override Classifier Classifier => d;
        protected override IEnumerable<(string Name, nn.Module Module)> Networks => trainer.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

        protected override EpochLosses TrainEpoch(EpochData e) => trainer.TrainEpoch(e.Steps, e.Images, e.Labels, e.OnStep, e.AfterUpdate);

        public override float[]? Samples() => z is null ? null : GanTrainer.Sample(g, z, device);

        public override void Dispose() { trainer.Dispose(); z?.Dispose(); g.Dispose(); d.Dispose(); }
    }
}
