using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Methods;

/// <summary>
/// A semi-supervised method: a name (as written in experiment files and CSVs), its own options, and how it builds
/// its networks for one run (<see cref="MethodRun"/>, whose <see cref="MethodRun.Step"/> is the method's training
/// step). A new method is one file implementing this plus one line in <see cref="MethodRegistry"/>; the runner,
/// config validation, the fast-path check, bench and reports know methods only from there.
/// </summary>
public interface IMethod
{
    /// <summary>As in experiment files, CSV rows and run ids, e.g. "sgan".</summary>
    string Name { get; }

    /// <summary>As in reports and chart legends, e.g. "SGAN".</summary>
    string DisplayName { get; }

    /// <summary>Builds the run's networks and optimizers (the classifier's initial weights from the run's seed alone).</summary>
    MethodRun Start(MethodContext context);

    /// <summary>Its own options: a record whose property initializers are its recipe's values (null: none beyond the common ones).</summary>
    Type? OptionsType => null;

    /// <summary>Its recipe's values of the common options, which an experiment's top-level fields do not override (its methodSettings entry does).</summary>
    MethodOptions Defaults => new();

    /// <summary>The K+1 head forms it is defined for; an experiment that pairs it with another is refused.</summary>
    IReadOnlyList<string> Heads => ["gan_logit", "softmax11"];
}

/// <summary>What a method gets from the harness for one run: its identity, settings, image shape, device and implementation.</summary>
public sealed record MethodContext(RunSpec Run, MethodSettings Settings, ImageShape Shape, Device Device, Implementation Implementation)
{
    /// <summary>The method's own options (its record, with the experiment's values).</summary>
    public T Options<T>() where T : new() => Settings.OwnAs<T>();
}

/// <summary>What one training step did: its losses by name (0-d tensors; null for one it did not take) and the images it trained on.</summary>
public sealed record StepResult(IReadOnlyList<(string Name, Tensor? Value)> Losses, long Images, long LabeledImages);

/// <summary>
/// One run of a method: its networks and optimizers (checkpointed by name), its training step on the harness's
/// batches, and the network that is evaluated. The epoch loop (<see cref="Train"/>) knows no method: it sets the
/// epoch's learning rate, makes each step's <see cref="Batch"/> in a dispose scope, calls <see cref="Step"/>, adds up
/// the losses and, after each optimizer step, moves the weight average (option <c>ema</c>).
/// </summary>
public abstract class MethodRun(MethodContext context) : ICheckpointable, IDisposable
{
    WeightAverage? average;
    protected MethodContext Context => context;

    /// <summary>The K(+1)-class network evaluated on the test set after every epoch.</summary>
    public abstract Classifier Classifier { get; }

    /// <summary>What the method asks of the harness for each step (default: the protocol's batches as they are).</summary>
    public virtual DataNeeds Needs => DataNeeds.Protocol;

    /// <summary>The names of the losses <see cref="Step"/> returns, in the CSV's order.</summary>
    public abstract IReadOnlyList<string> LossNames { get; }

    /// <summary>The method's networks, by name.</summary>
    protected abstract IEnumerable<(string Name, nn.Module Module)> Networks { get; }
    public abstract IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers { get; }

    /// <summary>
    /// One training step on the harness's batch: the method's losses and updates, reading top to bottom like its
    /// paper. Null when the batch gave it nothing to learn from (no optimizer step was taken).
    /// </summary>
    public abstract StepResult? Step(Batch batch);

    /// <summary>Networks whose gradients the fast-path check compares (default: all; a GAN's D gets the generator update's gradients only on the reference path).</summary>
    public virtual IEnumerable<string> ComparableGradients => Networks.Select(n => n.Name);

    /// <summary>
    /// Losses computed through a gradient (VAT's, through its adversarial direction): the fast-path check holds them to the
    /// gradients' relative tolerance, not the forward losses' absolute one.
    /// </summary>
    public virtual IEnumerable<string> GradientDerivedLosses => [];

    /// <summary>What a checkpoint keeps: the networks and, with <c>ema</c>, the classifier's weight average.</summary>
    public IEnumerable<(string Name, nn.Module Module)> Modules => Average is { } a ? Networks.Append(("ema", a)) : Networks;

    /// <summary>The networks by name (for the fast-path check and bench).</summary>
    public IEnumerable<(string Name, nn.Module Module)> NamedNetworks => Networks;

    /// <summary>The classifier's weight average for evaluation (option <c>ema</c>), or null.</summary>
    protected WeightAverage? Average => context.Settings.Ema > 0 ? average ??= new WeightAverage(Classifier, context.Settings.Ema) : null;

    /// <summary>One epoch: the epoch's learning rate, then every step, each in its own dispose scope.</summary>
    public EpochLosses Train(EpochData e)
    {
        double lr = context.Settings.LearningRateAt(e.Epoch);
        foreach (var (_, optimizer) in Optimizers)
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
        foreach (var (_, network) in Networks) network.train();
        _ = Average; // made outside the steps' dispose scopes, which would free its tensors
        var sums = LossNames.ToDictionary(n => n, _ => new LossAccumulator(context.Device));
        try
        {
            int steps = 0, index = 0;
            long images = 0, labeled = 0;
            foreach (var step in e.Steps)
            {
                using (var _ = NewDisposeScope())
                {
                    if (step.Labeled.Length > 0) TrainingProbe.Labeled?.Invoke(Classifier, step.Labeled);
                    var batch = e.MakeBatch(step, index);
                    using var before = Diagnostics?.Before(Classifier);
                    var result = Step(batch);
                    if (result is not null)
                    {
                        foreach (var (name, value) in result.Losses)
                            if (value is not null) sums[name].Add(value);
                        steps++; images += result.Images; labeled += result.LabeledImages;
                        AfterUpdate();
                    }
                    Diagnostics?.After(before, result is not null, e.Epoch, lr, LossNames, result?.Losses ?? [], Classifier, ClassifierOptimizer,
                        Averaged ? Evaluated : null, batch.LabeledCount > 0 ? (batch.LabeledImages, batch.Labels) : null);
                }
                index++;
                e.OnStep?.Invoke();
            }
            return new EpochLosses(new LossValues(LossNames.Select(n => (n, sums[n].Mean))), steps, images, labeled);
        }
        finally { foreach (var s in sums.Values) s.Dispose(); }
    }

    /// <summary>Opt-in: what each logged step moved (<see cref="StepDiagnostics"/>); null (the default) logs nothing.</summary>
    public StepDiagnostics? Diagnostics { get; set; }

    /// <summary>The optimizer that holds the classifier's weights (for the diagnostics' view of Adam's moments), or null.</summary>
    TorchSharp.Modules.OptimizerHelper? ClassifierOptimizer
    {
        get
        {
            var first = Classifier.parameters().First().Handle;
            return Optimizers.Select(o => o.Optimizer).FirstOrDefault(o => o.parameters().Any(p => p.Handle == first));
        }
    }

    /// <summary>After each optimizer step: the evaluation average moves (a method with a teacher moves its own in its step).</summary>
    protected virtual void AfterUpdate() => Average?.Update();

    /// <summary>Is the classifier evaluated on averaged weights (option <c>ema</c>, or a method's own average such as Mean Teacher's teacher)?</summary>
    public virtual bool Averaged => context.Settings.Ema > 0;

    /// <summary>The classifier as it is evaluated (with <c>ema</c>, holding the averaged weights) until disposed.</summary>
    public virtual IDisposable Evaluated() => Average?.Swapped() ?? NoSwap.Instance;

    protected sealed class NoSwap : IDisposable { public static readonly NoSwap Instance = new(); public void Dispose() { } }

    /// <summary>Generator samples for this run's fixed latent vectors (host floats in [-1,1]), or null for a method without a generator.</summary>
    public virtual float[]? Samples() => null;

    public abstract void Dispose();

    /// <summary>
    /// The classifier every method of a seed starts from: built right after seeding torch with the run's
    /// seed, so every method compared at a seed has identical architecture and initial weights.
    /// </summary>
    protected Classifier SeededClassifier(double hiddenNoise = 0)
    {
        var c = context;
        torch.random.manual_seed(c.Run.Seed);
        var d = Architectures.Classifier(c.Settings.Architecture, c.Run.Head, c.Settings.Dropout, hiddenNoise, c.Implementation, c.Shape);
        d.to(c.Device);
        return d;
    }

    /// <summary>Adam on a network's weights with the run's settings, in the run's implementation.</summary>
    protected TorchSharp.Modules.Adam AdamFor(nn.Module network) =>
        Kernels.Adam.For(context.Implementation, network.parameters(), context.Settings.LearningRate, context.Settings.Beta1, context.Settings.Beta2, context.Settings.WeightDecay);

    /// <summary>One optimizer step on a loss (gradients cleared before the step's passes, <see cref="ClearGradients"/>).</summary>
    protected static void Minimise(TorchSharp.Modules.Adam optimizer, Tensor loss)
    {
        loss.backward();
        optimizer.step();
    }

    /// <summary>Clears a network's gradients before its step's forward passes (the fast path sets them to none).</summary>
    protected void ClearGradients(nn.Module network, TorchSharp.Modules.Adam optimizer) =>
        Kernels.Adam.ClearGradients(context.Implementation, network, optimizer);
}
