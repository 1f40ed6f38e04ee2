using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SemiGan.Models;

/// <summary>DCGAN-style generator: z [B, latent] -> image [B,1,28,28] in [-1,1] (tanh).</summary>
public sealed class Generator : Module<Tensor, Tensor>
{
    const int Kernel = 4, Stride = 2, Padding = 1;
    readonly Module<Tensor, Tensor> net;
    readonly Implementation implementation;

    public int LatentDim { get; }

    public Generator(int latentDim = 100, Implementation implementation = Implementation.Fast, string name = "Generator") : base(name)
    {
        LatentDim = latentDim;
        this.implementation = implementation;
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
            ConvTranspose2d(64, 1, kernel_size: Kernel, stride: Stride, padding: Padding),
            Tanh());
        RegisterComponents();
        WeightInit.Dcgan(this);
    }

    public override Tensor forward(Tensor z)
    {
        if (implementation == Implementation.Reference) return net.forward(z);
        // Same layers; the last transposed convolution (64 -> 1 channel) as a 1x1 convolution + col2im.
        // The linear layer stays torch's linear: as a 1x1 convolution over a size-1 spatial dimension
        // oneDNN computed the 32 remainder output channels (6272 = 130*48 + 32) wrongly on 2 threads on
        // an AMD Zen 5 CPU.
        var layers = net.children().Cast<Module<Tensor, Tensor>>().ToArray();
        var h = z;
        for (int i = 0; i < layers.Length - 2; i++)
        {
            // Channels-last from the first transposed convolution on: oneDNN's kernels then skip their
            // layout reorders (measured: about 3 ms of a 70 ms SGAN step on the 2-core CPU).
            if (layers[i] is TorchSharp.Modules.ConvTranspose2d && !ChannelsLast.Is(h)) h = ChannelsLast.From(h);
            h = layers[i].forward(h);
            if (i == 0) h = FaultInjection.At("generator.linear", h);
        }
        var toImage = (TorchSharp.Modules.ConvTranspose2d)layers[^2];
        return SingleChannelConvolution.TransposedToImage(h, toImage.weight!, toImage.bias!, Stride, Padding).tanh();
    }
}
