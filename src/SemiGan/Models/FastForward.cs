using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// The fast implementation's forward passes. They compute the same networks and live apart from them, in
/// Kernels/, which registers them when the library loads; so the models do not depend on the kernels.
/// </summary>
public interface IFastForward
{
    Tensor Features(Discriminator d, Tensor x);
    (Tensor A, Tensor B) Forward(Discriminator d, Tensor a, Tensor b);
    Tensor Forward(Generator g, Tensor z);
}

public static class FastForward
{
    static IFastForward? kernels;

    public static IFastForward Current
    {
        get => kernels ?? throw new InvalidOperationException("fast path: no kernels are registered; run with --fast-path reference.");
        set => kernels = value;
    }
}
