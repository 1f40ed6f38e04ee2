using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// Batch norm's running statistics (mean, variance, batch count) of a network, kept aside and put back, so
/// a forward pass on generated images in training mode normalises with its own batch statistics without
/// moving the statistics evaluation uses (the option <c>bnStats: real</c>).
/// </summary>
public sealed class RunningStats : IDisposable
{
    readonly (Tensor Buffer, Tensor Saved)[] kept;

    RunningStats(nn.Module network)
    {
        using var _ = no_grad();
        kept = network.named_buffers()
            .Where(b => b.name.EndsWith("running_mean") || b.name.EndsWith("running_var") || b.name.EndsWith("num_batches_tracked"))
            .Select(b => (b.buffer, b.buffer.clone())).ToArray();
    }

    /// <summary>Keeps the statistics now; disposing puts them back. Null (nothing kept) when <paramref name="keep"/> is false.</summary>
    public static RunningStats? Keep(nn.Module network, bool keep) => keep ? new RunningStats(network) : null;

    public void Dispose()
    {
        using var _ = no_grad();
        foreach (var (buffer, saved) in kept) { buffer.copy_(saved); saved.Dispose(); }
    }
}
