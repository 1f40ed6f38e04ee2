using SemiGan.Kernels;
using SemiGan.Models;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// What the GAN methods compose their steps from: a discriminator and a generator with an Adam each, a batch
/// generated from fresh latent vectors, D's passes on real and generated images, D's update, G's update through
/// D. With <c>realStatsOnly</c> (option bnStats: real) only real batches move D's batch-norm running statistics:
/// generated batches are normalised with their own statistics, which then are not kept.
/// </summary>
public sealed class Gan : IDisposable
{
    public Classifier D { get; }
    public ImageGenerator G { get; }
    readonly TorchSharp.Modules.Adam optD, optG;
    readonly Device device;
    readonly Implementation implementation;
    readonly bool realStatsOnly;

    public Gan(Classifier d, ImageGenerator g, double lr, double beta1, double beta2, Device device,
        Implementation implementation, double weightDecay = 0, bool realStatsOnly = false)
    {
        (D, G, this.device, this.implementation, this.realStatsOnly) = (d, g, device, implementation, realStatsOnly);
        optD = Adam.For(implementation, D.parameters(), lr, beta1, beta2, weightDecay);
        optG = Adam.For(implementation, G.parameters(), lr, beta1, beta2, weightDecay);
    }

    public IEnumerable<(string Name, nn.Module Module)> Modules => [("discriminator", D), ("generator", G)];
    public IEnumerable<(string Name, TorchSharp.Modules.OptimizerHelper Optimizer)> Optimizers => [("discriminator", optD), ("generator", optG)];

    /// <summary>G(z) for <paramref name="count"/> fresh latent vectors; D's gradients are cleared for the step's update.</summary>
    public Tensor Generate(long count)
    {
        var z = randn(count, G.LatentDim, device: device);
        Adam.ClearGradients(implementation, D, optD);
        return G.forward(z);
    }

    /// <summary>
    /// D's passes on a real and a generated batch: both through each layer together, or with realStatsOnly the
    /// real one first and the generated one's statistics put back when <c>Kept</c> is disposed — after the
    /// backward pass, since batch norm's backward checks they are unchanged. The generated batch is made by
    /// <paramref name="fake"/> just before its pass, so random draws (input noise, dropout) keep their order.
    /// </summary>
    public (Tensor Real, Tensor Fake, RunningStats? Kept) Discriminate(Tensor real, Func<Tensor> fake)
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
    public void UpdateDiscriminator(Tensor loss, RunningStats? kept)
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
    public Tensor UpdateGenerator(Func<Tensor> lossThroughD)
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

    /// <summary>Samples of the generator for a fixed latent batch, in eval mode, as host floats in [-1,1].</summary>
    public float[] Sample(Tensor z)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        G.eval();
        var imgs = G.forward(z.to(device)).cpu();
        G.train();
        return imgs.data<float>().ToArray();
    }

    public void Dispose() { optD.Dispose(); optG.Dispose(); }
}
