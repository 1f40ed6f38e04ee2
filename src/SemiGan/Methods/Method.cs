using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// A semi-supervised method: a name (as written in experiment files and CSVs), how it builds its networks
/// for one run and trains them. A new method is one file implementing this plus one line in
/// <see cref="MethodRegistry"/>; the runner, config validation and reports know methods only from there.
/// </summary>
public interface IMethod
{
    /// <summary>As in experiment files, CSV rows and run ids, e.g. "sgan".</summary>
    string Name { get; }

    /// <summary>As in reports and chart legends, e.g. "SGAN".</summary>
    string DisplayName { get; }

    /// <summary>Builds the run's networks and optimizers (the classifier's initial weights from the run's seed alone).</summary>
    MethodRun Start(MethodContext context);

    /// <summary>The training steps it runs, which <see cref="FastPathCheck"/> compares between implementations before a run.</summary>
    IReadOnlyList<TrainingStep> Steps { get; }
}

/// <summary>What a method gets from the harness for one run: its identity, settings, image shape, device and implementation.</summary>
public sealed record MethodContext(RunSpec Run, MethodSettings Settings, ImageShape Shape, Device Device, Implementation Implementation);

/// <summary>The experiment's settings a method builds and trains with (typed values; the experiment file stays at the edge).</summary>
public sealed record MethodSettings(double Dropout, int LatentDim, double LearningRate, double Beta1, double Beta2, int SampleCount);

/// <summary>
/// One run of a method: its networks and optimizers (checkpointed by name), one epoch of training over
/// the harness's <see cref="Step"/>s, and the network that is evaluated.
/// </summary>
public abstract class MethodRun : ICheckpointable, IDisposable
{
    /// <summary>The K(+1)-class network evaluated on the test set after every epoch.</summary>
    public abstract Discriminator Classifier { get; }

    public abstract IEnumerable<(string Name, nn.Module Module)> Modules { get; }
    public abstract IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers { get; }

    public abstract EpochLosses TrainEpoch(EpochData epoch);

    /// <summary>Generator samples for this run's fixed latent vectors (host floats in [-1,1]), or null for a method without a generator.</summary>
    public virtual float[]? Samples() => null;

    public abstract void Dispose();

    /// <summary>
    /// The classifier every method of a seed starts from: built right after seeding torch with the run's
    /// seed, so every method compared at a seed has identical architecture and initial weights.
    /// </summary>
    protected static Discriminator SeededClassifier(MethodContext c)
    {
        torch.random.manual_seed(c.Run.Seed);
        var d = new Discriminator(c.Run.Head, c.Settings.Dropout, c.Implementation, c.Shape);
        d.to(c.Device);
        return d;
    }
}

/// <summary>
/// A run that trains the classifier alone with the supervised step (cross-entropy on each step's labeled
/// images, <see cref="BaselineTrainer"/>); a method says which batches it steps on.
/// </summary>
public sealed class SupervisedRun : MethodRun
{
    readonly Discriminator d;
    readonly BaselineTrainer trainer;
    readonly Func<EpochData, IEnumerable<Step>> batches;

    public SupervisedRun(MethodContext c, Func<EpochData, IEnumerable<Step>> batches)
    {
        d = SeededClassifier(c);
        trainer = new BaselineTrainer(d, c.Settings.LearningRate, c.Settings.Beta1, c.Settings.Beta2, c.Device, c.Implementation);
        this.batches = batches;
    }

    public override Discriminator Classifier => d;
    public override IEnumerable<(string Name, nn.Module Module)> Modules => trainer.Modules;
    public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

    public override EpochLosses TrainEpoch(EpochData e) => trainer.TrainEpoch(batches(e), e.Images, e.Labels, e.OnStep);

    public override void Dispose() { trainer.Dispose(); d.Dispose(); }
}
