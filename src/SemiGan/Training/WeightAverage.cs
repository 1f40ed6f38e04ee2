using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// An exponential average of a network's weights, a ← a + rate·(w − a) after every optimizer step from a = 0,
/// read bias-corrected: a / (1 − Π(1 − rate)) over the updates so far (as Adam corrects its moments), so it is a
/// weighted mean of the weights seen from the first step on rather than one pulled towards 0 early. At a
/// constant rate that is Polyak averaging as Salimans et al. (2016) evaluate with; with a rate that grows
/// (Mean Teacher's 0.01 → 0.001) it is the teacher. Batch-norm running statistics are not averaged: both uses
/// read the network's own. A module with buffers, so a checkpoint keeps it.
/// </summary>
public sealed class WeightAverage : nn.Module
{
    readonly Classifier network;
    readonly TorchSharp.Modules.Parameter[] weights;
    readonly Tensor[] averages;
    readonly Tensor steps, remaining;

    /// <summary>The rate <see cref="Update()"/> uses.</summary>
    public double Rate { get; }

    public WeightAverage(Classifier network, double rate) : base("ExponentialAverage") // the name checkpoints were saved under
    {
        (this.network, Rate) = (network, rate);
        weights = network.parameters().ToArray();
        averages = weights.Select(w => zeros_like(w).detach()).ToArray();
        steps = zeros(1, dtype: ScalarType.Int64, device: weights[0].device);
        remaining = ones(1, dtype: ScalarType.Float64); // Π(1 − rate): the weight a = 0 still has
        for (int i = 0; i < averages.Length; i++) register_buffer($"average{i}", averages[i]);
        register_buffer("steps", steps);
        register_buffer("remaining", remaining);
    }

    public long Steps => steps.item<long>();

    /// <summary>After an optimizer step, at <see cref="Rate"/>.</summary>
    public void Update() => Update(Rate);

    /// <summary>After an optimizer step, at the given rate.</summary>
    public void Update(double rate)
    {
        using var _ = no_grad();
        for (int i = 0; i < weights.Length; i++) averages[i].lerp_(weights[i], rate);
        steps.add_(1);
        remaining.mul_(1 - rate);
    }

    /// <summary>The bias-corrected average of weight i; the live weight before any update.</summary>
    public Tensor Average(int i) =>
        Steps == 0 ? weights[i].detach().clone() : averages[i] / (1 - remaining.item<double>());

    /// <summary>Puts the averaged weights into the network until disposed, then restores the live ones.</summary>
    public IDisposable Swapped()
    {
        using var _ = no_grad();
        var live = weights.Select(w => w.detach().clone()).ToArray();
        for (int i = 0; i < weights.Length; i++)
            using (var a = Average(i)) weights[i].copy_(a);
        return new Restore(() =>
        {
            using var __ = no_grad();
            for (int i = 0; i < weights.Length; i++) { weights[i].copy_(live[i]); live[i].Dispose(); }
        });
    }

    /// <summary>
    /// The teacher's prediction: <paramref name="pass"/> run on the network with the averaged weights, without
    /// gradients, and with the network's batch-norm running statistics left as they were.
    /// </summary>
    public Tensor Teacher(Func<Tensor> pass)
    {
        using var _ = no_grad();
        using var kept = RunningStats.Keep(network, true);
        using var swapped = Swapped();
        return pass().detach();
    }

    sealed class Restore(Action undo) : IDisposable
    {
        bool done;
        public void Dispose() { if (!done) { done = true; undo(); } }
    }
}
