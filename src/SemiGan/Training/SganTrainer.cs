using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Training;

/// <summary>
/// One SGAN update per step: the discriminator minimises supervised cross-entropy + the unsupervised
/// real/fake loss, then the generator minimises the non-saturating loss against the updated discriminator.
/// With <c>realStatsOnly</c> (option bnStats: real) only real batches move D's batch-norm running
/// statistics: the generated batches are normalised with their own statistics, which then are not kept.
/// </summary>
public sealed class SganTrainer : ICheckpointable, IDisposable
{
    public Classifier D { get; }
    public ImageGenerator G { get; }
    readonly TorchSharp.Modules.Adam optD, optG;
    readonly KPlusOneHead head;
    readonly Device device;
    readonly Implementation implementation;
    readonly bool realStatsOnly;

    public SganTrainer(Classifier d, ImageGenerator g, KPlusOneHead head, double lr, double beta1, double beta2, Device device,
        Implementation implementation = Implementation.Fast, double weightDecay = 0, bool realStatsOnly = false)
    {
        D = d; G = g; this.head = head; this.device = device; this.implementation = implementation; this.realStatsOnly = realStatsOnly;
        optD = Adam.For(implementation, D.parameters(), lr, beta1, beta2, weightDecay);
        optG = Adam.For(implementation, G.parameters(), lr, beta1, beta2, weightDecay);
        TrainingProbe.Started?.Invoke(D);
    }

    public IEnumerable<(string Name, nn.Module Module)> Modules => [("discriminator", D), ("generator", G)];
    public IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optD), ("generator", optG)];

    public EpochLosses TrainEpoch(IEnumerable<Step> steps, Tensor images, Tensor labels, Action? onStep = null)
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
                var fake = G.forward(z);
                // bnStats real: the real passes first; the generated batch's pass moves the running statistics,
                // which are put back after the backward pass (batch norm's backward checks they are unchanged).
                RunningStats? kept = null;
                Tensor outReal, outFake;
                if (realStatsOnly) (outReal, kept, outFake) = (D.forward(x), RunningStats.Keep(D, true), D.forward(fake.detach()));
                else (outReal, outFake) = D.forward(x, fake.detach());
                var lossD = SganLosses.Unsupervised(outReal, outFake, head);
                unsup.Add(lossD);
                if (step.Labeled.Length > 0)
                {
                    TrainingProbe.Labeled?.Invoke(D, step.Labeled);
                    var y = labels.index_select(0, tensor(step.Labeled, device: labels.device)).to(device);
                    var outLab = step.LabeledPositions is { } pos
                        ? outReal.index_select(0, tensor(pos, device: device)) // masked: reuse the real batch's pass
                        : D.forward(images.index_select(0, tensor(step.Labeled, device: images.device)).to(device));
                    var lossSup = SganLosses.Supervised(outLab, y, head);
                    sup.Add(lossSup);
                    lossD = lossD + lossSup;
                }
                lossD.backward();
                kept?.Dispose();
                optD.step();

                Adam.ClearGradients(implementation, G, optG);
                // The generator update needs gradients through D, not for D's weights: freezing D skips
                // those weight gradients (the reference path computed them and zero_grad discarded them).
                bool freezeD = implementation == Implementation.Fast;
                if (freezeD) SetRequiresGrad(D, false);
                var keptG = RunningStats.Keep(D, realStatsOnly);
                try
                {
                    var lossG = SganLosses.Generator(D.forward(fake), head);
                    gen.Add(lossG);
                    lossG.backward();
                }
                finally
                {
                    keptG?.Dispose();
                    if (freezeD) SetRequiresGrad(D, true);
                }
                optG.step();
            }
            n++; real += step.Real.Length; labeled += step.Labeled.Length;
            onStep?.Invoke();
        }
        return new EpochLosses(LossValues.Of((SganLosses.SupervisedName, sup.Mean), (SganLosses.UnsupervisedName, unsup.Mean), (SganLosses.GeneratorName, gen.Mean)), n, real, labeled);
    }

    internal static void SetRequiresGrad(nn.Module module, bool value)
    {
        foreach (var p in module.parameters()) p.requires_grad_(value);
    }

    /// <summary>Generator samples for a fixed latent batch (no gradients), as host floats in [-1,1].</summary>
    public float[] Sample(Tensor z) => Sample(G, z, device);

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
