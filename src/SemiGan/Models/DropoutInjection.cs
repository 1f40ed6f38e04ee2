using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// Test-only: one source of dropout masks for both implementations, so a test can train the fast and the
/// reference discriminator with the same masks. Their own draws cannot agree: the fast path draws one mask
/// per layer for a real and a generated batch together, from a seed it takes from torch's generator
/// (<c>Kernels.DropoutMask</c>); the reference draws one per batch with torch's bernoulli. With masks
/// injected, neither draws from torch's generator for dropout. Nothing in the program sets it.
/// </summary>
public static class DropoutInjection
{
    /// <summary>
    /// Given a LeakyReLU-dropout layer's input in training ([N,C,H,W], before the LeakyReLU), its keep mask
    /// (float, 1 = keep, 0 = drop, that shape); or null (always, outside tests): each implementation draws its own.
    /// </summary>
    public static Func<Tensor, Tensor>? Masks { get; set; }
}
