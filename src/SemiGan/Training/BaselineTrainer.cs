using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// The supervised step: cross-entropy on a step's labeled images (a method chooses the steps). With
/// <c>wholeBatch</c>, a masked-protocol step sends its whole batch through the network (so batch norm
/// normalises over all of it) and takes the loss over its labeled images only; otherwise only the labeled
/// images go through. The loss is the same mean either way, so the two differ only in what batch norm sees.
/// </summary>
public sealed class BaselineTrainer : ICheckpointable, IDisposable
{
    public Classifier D { get; }
    readonly TorchSharp.Modules.Adam opt;
    readonly Device device;
    readonly Implementation implementation;
    readonly bool wholeBatch;
    readonly double inputNoise;

    /// <param name="inputNoise">σ of Gaussian noise added to the input images in training (0: none).</param>
    public BaselineTrainer(Classifier d, double lr, double beta1, double beta2, Device device,
        Implementation implementation = Implementation.Fast, double weightDecay = 0, bool wholeBatch = false, double inputNoise = 0)
    {
        D = d; this.device = device; this.implementation = implementation; this.wholeBatch = wholeBatch; this.inputNoise = inputNoise;
        opt = Adam.For(implementation, D.parameters(), lr, beta1, beta2, weightDecay);
        TrainingProbe.Started?.Invoke(D);
    }

    public IEnumerable<(string Name, nn.Module Module)> Modules => [("discriminator", D)];
    public IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", opt)];

    /// <param name="afterUpdate">After each optimizer step (a step without labeled images is none).</param>
    public EpochLosses TrainEpoch(IEnumerable<Step> steps, Tensor images, Tensor labels, Action? onStep = null, Action? afterUpdate = null)
    {
        D.train();
        using var sup = new LossAccumulator(device);
        int n = 0; long labeled = 0, real = 0;
        foreach (var step in steps)
        {
            // Masked protocol: a batch with no labeled image gives the baseline nothing to learn from.
            if (step.Labeled.Length > 0)
            {
                using var _ = NewDisposeScope();
                TrainingProbe.Labeled?.Invoke(D, step.Labeled);
                var y = labels.index_select(0, tensor(step.Labeled, device: labels.device)).to(device);
                Adam.ClearGradients(implementation, D, opt);
                var output = wholeBatch && step.LabeledPositions is { } positions
                    ? D.forward(Noisy(images.index_select(0, tensor(step.Real, device: images.device)).to(device))).index_select(0, tensor(positions, device: device))
                    : D.forward(Noisy(images.index_select(0, tensor(step.Labeled, device: images.device)).to(device)));
                var loss = SganLosses.Supervised(output, y, D.Head);
                sup.Add(loss);
                loss.backward();
                opt.step();
                afterUpdate?.Invoke();
                n++; labeled += step.Labeled.Length; real += wholeBatch && step.LabeledPositions is not null ? step.Real.Length : step.Labeled.Length;
            }
            onStep?.Invoke();
        }
        return new EpochLosses(LossValues.Of((SganLosses.SupervisedName, sup.Mean)), n, real, labeled);
    }

    Tensor Noisy(Tensor x) => inputNoise > 0 ? x + randn_like(x) * inputNoise : x;

    public void Dispose() => opt.Dispose();
}
