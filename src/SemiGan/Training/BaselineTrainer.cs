using SemiGan.Kernels;
using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>The supervised baseline: the same <see cref="Discriminator"/>, trained by cross-entropy on the labeled images only.</summary>
public sealed class BaselineTrainer : ICheckpointable, IDisposable
{
    public Discriminator D { get; }
    readonly TorchSharp.Modules.Adam opt;
    readonly Device device;
    readonly Implementation implementation;

    public BaselineTrainer(Discriminator d, double lr, double beta1, double beta2, Device device,
        Implementation implementation = Implementation.Fast)
    {
        D = d; this.device = device; this.implementation = implementation;
        opt = Adam.For(implementation, D.parameters(), lr, beta1, beta2);
    }

    public IEnumerable<(string Name, nn.Module Module)> Modules => [("discriminator", D)];
    public IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", opt)];

    public EpochLosses TrainEpoch(IEnumerable<Step> steps, Tensor images, Tensor labels, Action? onStep = null)
    {
        D.train();
        using var sup = new LossAccumulator(device);
        int n = 0; long labeled = 0;
        foreach (var step in steps)
        {
            // Masked protocol: a batch with no labeled image gives the baseline nothing to learn from.
            if (step.Labeled.Length > 0)
            {
                using var _ = NewDisposeScope();
                var idx = tensor(step.Labeled, device: images.device);
                var x = images.index_select(0, idx).to(device);
                var y = labels.index_select(0, idx).to(device);
                Adam.ClearGradients(implementation, D, opt);
                var loss = SganLosses.Supervised(D.forward(x), y, D.Head);
                sup.Add(loss);
                loss.backward();
                opt.step();
                n++; labeled += step.Labeled.Length;
            }
            onStep?.Invoke();
        }
        return new EpochLosses(LossValues.Of((SganLosses.SupervisedName, sup.Mean)), n, labeled, labeled);
    }

    public void Dispose() => opt.Dispose();
}
