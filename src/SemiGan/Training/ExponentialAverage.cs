using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// Polyak averaging as Salimans et al. (2016) evaluate with: after every optimizer step a ← a + rate·(p − a) for each
/// of the classifier's weights, from a = 0. Unlike the original, evaluation divides by 1 − (1 − rate)^t
/// (as Adam corrects its moments), so the average is a weighted mean of the weights seen from the first
/// step on rather than one biased towards 0 for the first ~1/rate steps. A module with buffers, so a
/// checkpoint keeps it. Batch-norm running statistics are not averaged: evaluation uses the live ones.
/// </summary>
public sealed class ExponentialAverage : nn.Module
{
    readonly Classifier network;
    readonly TorchSharp.Modules.Parameter[] weights;
    readonly Tensor[] averages;
    readonly Tensor steps;

    public double Rate { get; }

    public ExponentialAverage(Classifier network, double rate) : base(nameof(ExponentialAverage))
    {
        (this.network, Rate) = (network, rate);
        weights = network.parameters().ToArray();
        averages = weights.Select(w => zeros_like(w).detach()).ToArray();
        steps = zeros(1, dtype: ScalarType.Int64, device: weights[0].device);
        for (int i = 0; i < averages.Length; i++) register_buffer($"average{i}", averages[i]);
        register_buffer("steps", steps);
    }

    public long Steps => steps.item<long>();

    /// <summary>After an optimizer step.</summary>
    public void Update()
    {
        using var _ = no_grad();
        for (int i = 0; i < weights.Length; i++) averages[i].lerp_(weights[i], Rate);
        steps.add_(1);
    }

    /// <summary>The bias-corrected average of weight i: a_t / (1 − (1 − rate)^t); the live weight before any step.</summary>
    public Tensor Average(int i)
    {
        long t = Steps;
        return t == 0 ? weights[i].detach().clone() : averages[i] / (1 - Math.Pow(1 - Rate, t));
    }

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

    sealed class Restore(Action undo) : IDisposable
    {
        bool done;
        public void Dispose() { if (!done) { done = true; undo(); } }
    }
}
