using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SemiGan.Models;

/// <summary>DCGAN-style generator: z [B, latent] -> image [B,1,28,28] in [-1,1] (tanh).</summary>
public sealed class Generator : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> net;

    public int LatentDim { get; }

    public Generator(int latentDim = 100, string name = "Generator") : base(name)
    {
        LatentDim = latentDim;
        net = Sequential(
            Linear(latentDim, 128 * 7 * 7, hasBias: false),
            BatchNorm1d(128 * 7 * 7),
            ReLU(),
            Unflatten(1, [128, 7, 7]),
            // 7x7 -> 14x14
            ConvTranspose2d(128, 64, kernel_size: 4, stride: 2, padding: 1, bias: false),
            BatchNorm2d(64),
            ReLU(),
            // 14x14 -> 28x28
            ConvTranspose2d(64, 1, kernel_size: 4, stride: 2, padding: 1),
            Tanh());
        RegisterComponents();
        WeightInit.Dcgan(this);
    }

    public override Tensor forward(Tensor z) => net.forward(z);
}
