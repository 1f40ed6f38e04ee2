using SemiGan.Models;
using TorchSharp;
using static TorchSharp.torch;
using Generator = SemiGan.Models.Generator;

namespace SemiGan.Kernels;

/// <summary>
/// <see cref="Generator.forward"/> computed faster with the same arithmetic: channels-last from the
/// transposed convolution on (oneDNN skips its layout reorders), and the last layer to a single-channel
/// image as a 1x1 convolution to the kernel taps plus a col2im (<see cref="SingleChannelConvolution"/>).
/// The linear layer stays torch's linear: as a 1x1 convolution over a size-1 spatial dimension oneDNN
/// computed the 32 remainder output channels (6272 = 130·48 + 32) wrongly on 2 threads on an AMD Zen 5.
/// </summary>
public static class FastGenerator
{
    public static Tensor Forward(Generator g, Tensor z)
    {
        // Under bf16 the hidden activations stay bfloat16 up to the last layer (Autocast).
        var h = FaultInjection.At("generator.linear", Autocast.LinearLow(g.project, z));
        h = nn.functional.relu(g.norm0.forward(h)).view(-1, Generator.Maps, g.StartHeight, g.StartWidth);
        h = nn.functional.relu(g.norm1.forward(Autocast.ConvTranspose2dLow(g.up, ChannelsLast.From(h))));
        if (g.Shape.Channels != 1) return Autocast.ConvTranspose2d(g.toImage, h).tanh();
        var last = Generator.ToImageGeometry;
        return SingleChannelConvolution.TransposedToImage(h, g.toImage.weight!, g.toImage.bias!, last.Stride, last.Padding).tanh();
    }
}
