using SemiGan.Kernels;
using SemiGan.Models;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// What every GAN method's training shares: a discriminator and a generator with an Adam each, and the
/// epoch loop (per step a real batch and a latent batch; D's update, then G's). A method's trainer writes
/// only its step (<see cref="Step"/>), from three parts: D's passes on real and generated images, D's
/// update, G's update through D. With <c>realStatsOnly</c> (option bnStats: real) only real batches move
/// D's batch-norm running statistics: generated batches are normalised with their own statistics, which
/// then are not kept.
/// </summary>
public abstract class GanTrainer : ICheckpointable, IDisposable
{
    public Classifier D { get; }
    public ImageGenerator G { get; }
    protected readonly TorchSharp.Modules.Adam optD, optG;
    protected readonly KPlusOneHead head;
    protected readonly Device device;
    protected readonly Implementation implementation;
    protected readonly bool realStatsOnly;

    protected GanTrainer(Classifier d, ImageGenerator g, KPlusOneHead head, double lr, double beta1, double beta2, Device device,
        Implementation implementation, double weightDecay, bool realStatsOnly)
    {
        (D, G, this.head, this.device, this.implementation, this.realStatsOnly) = (d, g, head, device, implementation, realStatsOnly);
        optD = Adam.For(implementation, D.parameters(), lr, beta1, beta2, weightDecay);
        optG = Adam.For(implementation, G.parameters(), lr, beta1, beta2, weightDecay);
    }

    public IEnumerable<(string Name, nn.Module Module)> Modules => [("discriminator", D), ("generator", G)];
    public IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optD), ("generator", optG)];

    /// <summary>The losses one step logs; Supervised is null on a step without labeled images.</summary>
    protected readonly record struct StepLosses(Tensor? Supervised, Tensor Unsupervised, Tensor Generator);

    /// <summary>The name the generator's loss is logged under.</summary>
    protected abstract string GeneratorLossName { get; }

    /// <summary>
    /// One step's two updates, given the real batch <paramref name="x"/> and the generator's output
    /// <paramref name="fake"/> for this step's latent batch, D's gradients already cleared.
    /// </summary>
    protected abstract StepLosses Step(Step step, Tensor x, Tensor fake, Tensor images, Tensor labels);

    public EpochLosses TrainEpoch(IEnumerable<Step> steps, Tensor images, Tensor labels, Action? onStep = null, Action? afterUpdate = null)
    {
        D.train(); G.train();
        using var sup = new LossAccumulator(device);
        using var unsup = new LossAccumulator(device);
        using var gen = new LossAccumulator(device);
        int n = 0; long real = 0, labeled = 0;
        foreach (var step in steps)
        {
            using (var _ = NewDisposeScope())
            {
                var x = images.index_select(0, tensor(step.Real, device: images.device)).to(device);
                var z = randn(step.Real.Length, G.LatentDim, device: device);
                Adam.ClearGradients(implementation, D, optD);
                var losses = Step(step, x, G.forward(z), images, labels);
                if (losses.Supervised is { } s) sup.Add(s);
                unsup.Add(losses.Unsupervised);
                gen.Add(losses.Generator);
            }
            n++; real += step.Real.Length; labeled += step.Labeled.Length;
            afterUpdate?.Invoke();
            onStep?.Invoke();
        }
        return new EpochLosses(LossValues.Of((SganLosses.SupervisedName, sup.Mean), (SganLosses.UnsupervisedName, unsup.Mean), (GeneratorLossName, gen.Mean)), n, real, labeled);
    }

    /// <summary>
    /// D's passes on a real and a generated batch: both through each layer together, or with realStatsOnly the
    /// real one first and the generated one's statistics put back when <c>Kept</c> is disposed — after the
    /// backward pass, since batch norm's backward checks they are unchanged. The generated batch is made by
    /// <paramref name="fake"/> just before its pass, so random draws (input noise, dropout) keep their order.
    /// </summary>
    protected (Tensor Real, Tensor Fake, RunningStats? Kept) Discriminate(Tensor real, Func<Tensor> fake)
    {
        if (!realStatsOnly)
        {
            var (outReal, outFake) = D.forward(real, fake());
            return (outReal, outFake, null);
        }
        var r = D.forward(real);
        var kept = RunningStats.Keep(D, true);
        return (r, D.forward(fake()), kept);
    }

    /// <summary>D's update on its whole loss; then the statistics <see cref="Discriminate"/> kept are put back.</summary>
    protected void UpdateDiscriminator(Tensor loss, RunningStats? kept)
    {
        loss.backward();
        kept?.Dispose();
        optD.step();
    }

    /// <summary>
    /// G's update on a loss computed through D. It needs gradients through D, not for D's weights: the fast
    /// path freezes D and skips them (the reference path computes them and its zero_grad discards them).
    /// With realStatsOnly D's running statistics are put back afterwards.
    /// </summary>
    protected Tensor UpdateGenerator(Func<Tensor> lossThroughD)
    {
        Adam.ClearGradients(implementation, G, optG);
        bool freezeD = implementation == Implementation.Fast;
        if (freezeD) SetRequiresGrad(D, false);
        var kept = RunningStats.Keep(D, realStatsOnly);
        Tensor loss;
        try
        {
            loss = lossThroughD();
            loss.backward();
        }
        finally
        {
            kept?.Dispose();
            if (freezeD) SetRequiresGrad(D, true);
        }
        optG.step();
        return loss;
    }

    internal static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters()) p.requires_grad_(value);
    }

    /// <summary>Samples of a generator for a fixed latent batch, in eval mode, as host floats in [-1,1].</summary>
    public static float[] Sample(ImageGenerator g, Tensor z, Device device)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        g.eval();
        var imgs = g.forward(z.to(device)).cpu();
        g.train();
        return imgs.data<float>().ToArray();
    }

    public void Dispose() { optD.Dispose(); optG.Dispose(); }
}
