using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// The seed's supervised baseline: the same discriminator (same initial weights at a seed), trained by
/// cross-entropy on the labeled images of the harness's batches only (step: <see cref="BaselineTrainer"/>).
/// </summary>
public sealed class Baseline : IMethod
{
    public string Name => "baseline";
    public string DisplayName => "Baseline CNN";

    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Supervised];

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Models.Discriminator d;
        readonly BaselineTrainer trainer;

        public Run(MethodContext c)
        {
            d = SeededClassifier(c);
            trainer = new BaselineTrainer(d, c.Config.LearningRate, c.Config.Beta1, c.Config.Beta2, c.Device, c.Implementation);
        }

        public override Models.Discriminator Classifier => d;
        public override IEnumerable<(string Name, nn.Module Module)> Modules => trainer.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

        public override EpochLosses TrainEpoch(EpochData e) => trainer.TrainEpoch(e.Steps, e.Images, e.Labels, e.OnStep);

        public override void Dispose() { trainer.Dispose(); d.Dispose(); }
    }
}
