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

    /// <summary>The <see cref="MethodOptions"/> fields it accepts beyond <see cref="MethodOptions.Common"/>.</summary>
    IReadOnlyList<string> Options => [];

    /// <summary>Its recipe's values, which an experiment's top-level fields do not override (its methodSettings entry does).</summary>
    MethodOptions Defaults => new();

    /// <summary>The K+1 head forms it is defined for; an experiment that pairs it with another is refused.</summary>
    IReadOnlyList<string> Heads => ["gan_logit", "softmax11"];
}

/// <summary>What a method gets from the harness for one run: its identity, settings, image shape, device and implementation.</summary>
public sealed record MethodContext(RunSpec Run, MethodSettings Settings, ImageShape Shape, Device Device, Implementation Implementation);

/// <summary>
/// One run of a method: its networks and optimizers (checkpointed by name), one epoch of training over
/// the harness's <see cref="Step"/>s, and the network that is evaluated.
/// </summary>
public abstract class MethodRun(MethodSettings settings) : ICheckpointable, IDisposable
{
    ExponentialAverage? average;

    /// <summary>The K(+1)-class network evaluated on the test set after every epoch.</summary>
    public abstract Classifier Classifier { get; }

    /// <summary>The method's networks, by name.</summary>
    protected abstract IEnumerable<(string Name, nn.Module Module)> Networks { get; }
    public abstract IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers { get; }

    /// <summary>What a checkpoint keeps: the networks and, with <c>ema</c>, the classifier's weight average.</summary>
    public IEnumerable<(string Name, nn.Module Module)> Modules => Average is { } a ? Networks.Append(("ema", a)) : Networks;

    ExponentialAverage? Average => settings.Ema > 0 ? average ??= new ExponentialAverage(Classifier, settings.Ema) : null;

    /// <summary>One epoch of the method's steps, at the epoch's learning rate, updating the weight average after each optimizer step.</summary>
    public EpochLosses Train(EpochData e)
    {
        double lr = settings.LearningRateAt(e.Epoch);
        foreach (var (_, optimizer) in Optimizers)
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        var average = Average;
        return TrainEpoch(average is null ? e : e with { AfterUpdate = average.Update });
    }

    /// <summary>Is the classifier evaluated on averaged weights (option <c>ema</c>)?</summary>
    public bool Averaged => settings.Ema > 0;

    /// <summary>The classifier as it is evaluated (with <c>ema</c>, holding the averaged weights) until disposed.</summary>
    public IDisposable Evaluated() => Average?.Swapped() ?? NoSwap.Instance;

    sealed class NoSwap : IDisposable { public static readonly NoSwap Instance = new(); public void Dispose() { } }

    protected abstract EpochLosses TrainEpoch(EpochData epoch);

    /// <summary>Generator samples for this run's fixed latent vectors (host floats in [-1,1]), or null for a method without a generator.</summary>
    public virtual float[]? Samples() => null;

    public abstract void Dispose();

    /// <summary>
    /// The classifier every method of a seed starts from: built right after seeding torch with the run's
    /// seed, so every method compared at a seed has identical architecture and initial weights.
    /// </summary>
    protected static Classifier SeededClassifier(MethodContext c)
    {
        torch.random.manual_seed(c.Run.Seed);
        var d = Architectures.Classifier(c.Settings.Architecture, c.Run.Head, c.Settings.Dropout, c.Settings.HiddenNoise, c.Implementation, c.Shape);
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
    readonly Classifier d;
    readonly BaselineTrainer trainer;
    readonly Func<EpochData, IEnumerable<Step>> batches;

    public SupervisedRun(MethodContext c, Func<EpochData, IEnumerable<Step>> batches) : base(c.Settings)
    {
        d = SeededClassifier(c);
        var s = c.Settings;
        trainer = new BaselineTrainer(d, s.LearningRate, s.Beta1, s.Beta2, c.Device, c.Implementation, s.WeightDecay, s.WholeBatch, s.InputNoise);
        this.batches = batches;
    }

    public override Classifier Classifier => d;
    protected override IEnumerable<(string Name, nn.Module Module)> Networks => trainer.Modules;
    public override IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => trainer.Optimizers;

    protected override EpochLosses TrainEpoch(EpochData e) => trainer.TrainEpoch(batches(e), e.Images, e.Labels, e.OnStep, e.AfterUpdate);

    public override void Dispose() { trainer.Dispose(); d.Dispose(); }
}
