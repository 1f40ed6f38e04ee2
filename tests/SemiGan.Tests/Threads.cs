namespace SemiGan.Tests;

/// <summary>Runs a block at a given torch thread count and restores the previous one (tests run serially).</summary>
public sealed class Threads : IDisposable
{
    readonly int previous = TorchSharp.torch.get_num_threads();

    Threads(int threads) => TorchSharp.torch.set_num_threads(threads);

    public static Threads Use(int threads) => new(threads);

    public void Dispose() => TorchSharp.torch.set_num_threads(previous);
}
