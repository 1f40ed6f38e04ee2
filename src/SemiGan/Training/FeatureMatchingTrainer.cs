using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// One feature-matching step (Salimans et al. 2016): the discriminator minimises cross-entropy on the
/// labeled batch + ½·(real/fake loss) on the unlabeled and a generated batch; then the generator minimises
/// the distance between the mean features of the (updated) discriminator on the unlabeled batch and on
/// the generated one. With input noise, every discriminator input gets Gaussian noise in training. One
/// deviation: the generator's step compares with the step's unlabeled batch, not a second one.
/// </summary>
public sealed class FeatureMatchingTrainer : ICheckpointable, IDisposable
{
    public Classifier D { get; }
    public ImageGenerator G { get; }
    readonly TorchSharp.Modules.Adam optD, optG;
    readonly KPlusOneHead head;
    readonly Device device;
    readonly Implementation implementation;
    readonly bool realStatsOnly;
    readonly double inputNoise;

    public FeatureMatchingTrainer(Classifier d, ImageGenerator g, KPlusOneHead head, double lr, double beta1, double beta2, Device device,
        Implementation implementation, double weightDecay, bool realStatsOnly, double inputNoise)
    {
        (D, G, this.head, this.device, this.implementation, this.realStatsOnly, this.inputNoise) = (d, g, head, device, implementation, realStatsOnly, inputNoise);
        optD = Adam.For(implementation, D.parameters(), lr, beta1, beta2, weightDecay);
        optG = Adam.For(implementation, G.parameters(), lr, beta1, beta2, weightDecay);
    }

    public IEnumerable<(string Name, nn.Module Module)> Modules => [("discriminator", D), ("generator", G)];
    public IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optD), ("generator", optG)];

    Tensor Noisy(Tensor x) => inputNoise > 0 ? x + randn_like(x) * inputNoise : x;

    public EpochLosses TrainEpoch(IEnumerable<Step> steps, Tensor images, Tensor labels, Action? onStep = null)
    {
        D.train(); G.train();
        using var sup = new LossAccumulator(device);
        using var unsup = new LossAccumulator(device);
        using var matching = new LossAccumulator(device);
        int n = 0; long real = 0, labeled = 0;
        foreach (var step in steps)
        {
            using (var _ = NewDisposeScope())
            {
                var x = images.index_select(0, tensor(step.Real, device: images.device)).to(device);
                var z = randn(step.Real.Length, G.LatentDim, device: device);

                Adam.ClearGradients(implementation, D, optD);
                var fake = G.forward(z);
                // bnStats real: real passes first; the generated batch's pass moves the running statistics, which
                // are put back after the backward pass (batch norm's backward checks they are unchanged).
                Tensor? outLab = null;
                if (step.Labeled.Length > 0 && step.LabeledPositions is null)
                    outLab = D.forward(Noisy(images.index_select(0, tensor(step.Labeled, device: images.device)).to(device)));
                RunningStats? kept = null;
                Tensor outReal, outFake;
                if (realStatsOnly) (outReal, kept, outFake) = (D.forward(Noisy(x)), RunningStats.Keep(D, true), D.forward(Noisy(fake.detach())));
                else (outReal, outFake) = D.forward(Noisy(x), Noisy(fake.detach()));
                var lossD = SganLosses.HalfUnsupervised(outReal, outFake, head);
                unsup.Add(lossD);
                if (step.Labeled.Length > 0)
                {
                    var y = labels.index_select(0, tensor(step.Labeled, device: labels.device)).to(device);
                    outLab ??= outReal.index_select(0, tensor(step.LabeledPositions!, device: device)); // masked: reuse the real batch's pass
                    var lossSup = SganLosses.Supervised(outLab, y, head);
                    sup.Add(lossSup);
                    lossD = lossD + lossSup;
                }
                lossD.backward();
                kept?.Dispose();
                optD.step();

                Adam.ClearGradients(implementation, G, optG);
                Tensor realFeatures;
                using (no_grad()) realFeatures = D.Features(Noisy(x));
                bool freezeD = implementation == Implementation.Fast; // gradients through D, none for its weights
                if (freezeD) SganTrainer.SetRequiresGrad(D, false);
                var keptG = RunningStats.Keep(D, realStatsOnly);
                try
                {
                    var lossG = SganLosses.FeatureMatching(realFeatures, D.Features(Noisy(fake)));
                    matching.Add(lossG);
                    lossG.backward();
                }
                finally
                {
                    keptG?.Dispose();
                    if (freezeD) SganTrainer.SetRequiresGrad(D, true);
                }
                optG.step();
            }
            n++; real += step.Real.Length; labeled += step.Labeled.Length;
            onStep?.Invoke();
        }
        return new EpochLosses(LossValues.Of((SganLosses.SupervisedName, sup.Mean), (SganLosses.UnsupervisedName, unsup.Mean), (SganLosses.FeatureMatchingName, matching.Mean)), n, real, labeled);
    }

    public void Dispose() { optD.Dispose(); optG.Dispose(); }
}
