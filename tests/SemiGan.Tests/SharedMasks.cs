using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>
/// One stream of dropout masks for every implementation under test (installed as
/// <see cref="DropoutInjection.Masks"/> until disposed; <see cref="Next"/> serves the hand-written reference).
/// Per dropout layer (told apart by its [C,H,W]), a fixed pool of per-image keep masks (keep with
/// probability 1 − p, from the layer's own generator) handed out in order, N images per call. So the
/// fast path's one call over a real and a generated batch together gets the same masks as the
/// reference's two calls, real then generated: each layer meets the images in the same order in both.
/// </summary>
public sealed class SharedMasks : IDisposable
{
    const long PoolImages = 512; // per layer: k = 3 SGAN steps at batch 37 use at most 4 · 37 · 3 = 444
    readonly double p;
    readonly ulong seed;
    readonly Dictionary<string, (Tensor Pool, long Used)> layers = [];

    public SharedMasks(double p, ulong seed)
    {
        (this.p, this.seed) = (p, seed);
        DropoutInjection.Masks = For;
    }

    /// <summary>Every LeakyReLU input these masks were drawn for (detached copies), in call order.</summary>
    public List<Tensor> Inputs { get; } = [];

    /// <summary>The mask for a LeakyReLU-dropout layer's input x ([N,C,H,W], before the LeakyReLU); x is kept in <see cref="Inputs"/>.</summary>
    public Tensor For(Tensor x)
    {
        using (no_grad()) Inputs.Add(x.detach().clone().DetachFromDisposeScope());
        return Next(x.shape);
    }

    /// <summary>The keep mask (float32, 1 keep, 0 drop) for the next shape[0] images of the layer of that [N,C,H,W] shape.</summary>
    public Tensor Next(long[] shape)
    {
        string key = string.Join("x", shape.Skip(1));
        if (!layers.TryGetValue(key, out var layer))
        {
            ulong layerSeed = seed * 1_000_003 + (ulong)shape.Skip(1).Aggregate(17L, (h, d) => h * 1009 + d); // stable across processes
            var generator = new torch.Generator(layerSeed);
            var pool = rand([PoolImages, .. shape.Skip(1)], generator: generator).ge(p).to_type(ScalarType.Float32);
            layer = (pool.DetachFromDisposeScope(), 0);
        }
        if (layer.Used + shape[0] > PoolImages) throw new InvalidOperationException($"SharedMasks: layer {key} needs more than {PoolImages} images");
        var mask = layer.Pool.narrow(0, layer.Used, shape[0]);
        layers[key] = (layer.Pool, layer.Used + shape[0]);
        return mask;
    }

    public void Dispose()
    {
        DropoutInjection.Masks = null;
        foreach (var (pool, _) in layers.Values) pool.Dispose();
        foreach (var x in Inputs) x.Dispose();
    }
}
