using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// The supervised CNN a careful researcher would run: the same discriminator and initial weights as every
/// other method at a seed, trained by cross-entropy on full batches of labeled images (the labeled set
/// cycled and reshuffled), so batch norm always sees a full batch. As many steps per epoch as the other
/// methods take.
/// </summary>
public sealed class Supervised : IMethod
{
    public string Name => "supervised";
    public string DisplayName => "Supervised CNN (full labeled batches)";

    public IReadOnlyList<TrainingStep> Steps => [TrainingStep.Supervised];

    public MethodRun Start(MethodContext c) => new Run(c);

    sealed class Run : MethodRun
    {
        readonly Models.Discriminator d;
        readonly BaselineTrainer trainer; // its step: cross-entropy on a step's labeled images

        public Run(MethodContext c)
        {
            d = SeededClassifier(c);
            trainer = new BaselineTrainer(d, c.Config.LearningRate, c.Config.Beta1, c.Config.Beta2, c.Device, c.Implementation);
        }

        public override Models.Discriminator Classifier => d;
        public override IEnumerable<(string Name, nn.Module Module)> Modules => trainer.Modules;
        public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

        public override EpochLosses TrainEpoch(EpochData e) =>
            trainer.TrainEpoch(e.LabeledBatches.Take(e.StepCount).Select(batch => new Step([], batch, null)), e.Images, e.Labels, e.OnStep);

        public override void Dispose() { trainer.Dispose(); d.Dispose(); }
    }
}
