using SemiGan.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// <see cref="Discriminator.Features"/> computed faster, layer by named layer, with the same arithmetic:
/// activations channels-last (oneDNN's convolutions then skip layout reorders), LeakyReLU and dropout fused
/// into one multiply (<see cref="LeakyReLUDropout"/>), the first layer's input gradient via
/// <see cref="SingleChannelConvolution"/> when only that gradient is wanted (the generator update), and
/// a real and a fake batch through each convolution together. <c>FastPathCheck</c> holds it to the plain
/// forward on every run's machine.
/// </summary>
public static class FastDiscriminator
{
    public static Tensor Features(Discriminator d, Tensor x)
    {
        var h = ChannelsLast.From(x);
        var first = Discriminator.Convolutions[0];
        // In the generator update D is frozen and only the gradient for its input image is needed.
        h = h.requires_grad && !d.conv1.weight!.requires_grad && d.conv1.in_channels == 1
            ? SingleChannelConvolution.FromImageInputGradientOnly(h, d.conv1.weight, d.conv1.bias!, first.Stride, first.Padding)
            : Autocast.Conv2d(d.conv1, h);
        return Autocast.High(AfterFirst(d, h, null)); // features leave in float32: feature matching is a loss
    }

    /// <summary>Discriminator.forward(a, b): both batches through each convolution and the classifier at once, batch norm per batch.</summary>
    public static (Tensor A, Tensor B) Forward(Discriminator d, Tensor a, Tensor b)
    {
        long na = a.shape[0], nb = b.shape[0];
        var h = Autocast.Conv2d(d.conv1, ChannelsLast.From(cat([a, b], 0)));
        var output = Autocast.Linear(d.classifier, AfterFirst(d, h, [na, nb]));
        return (output.narrow(0, 0, na), output.narrow(0, na, nb));
    }

    static Tensor AfterFirst(Discriminator d, Tensor h, long[]? batchSizes)
    {
        h = Activation(d, h);
        // Under bf16 the hidden activations stay bfloat16 from conv2 to the classifier (Autocast).
        h = Activation(d, Norm(d.norm2, Autocast.Conv2dLow(d.conv2, h), batchSizes));
        h = Activation(d, Norm(d.norm3, Autocast.Conv2dLow(d.conv3, h), batchSizes));
        // flatten's backward sends an [N,C,H,W]-ordered gradient; keep the layers above channels-last.
        if (d.training) h = ChannelsLast.GradientFrom(h);
        return h.flatten(1);
    }

    static Tensor Activation(Discriminator d, Tensor h) => LeakyReLUDropout.Apply(h, Discriminator.Slope, d.DropoutRate, d.training);

    /// <summary>Batch norm; with batch sizes (training), each batch normalised with its own statistics, running statistics updated in order.</summary>
    static Tensor Norm(BatchNorm2d norm, Tensor h, long[]? batchSizes) =>
        batchSizes is not null && norm.training
            ? cat(h.split(batchSizes, 0).Select(part => norm.forward(part)).ToArray(), 0)
            : norm.forward(h);
}
