using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SemiGan.Models;

/// <summary>
/// The CNN classifier shared by the SGAN and the supervised baseline (one class, one code path, so
/// the comparison is architecture-for-architecture). Input [B,1,28,28] in [-1,1]; output [B, outputs]
/// logits: 10 class logits, plus a "fake" logit when the head is <see cref="KPlusOneHead.Softmax11"/>.
/// </summary>
public sealed class Discriminator : Module<Tensor, Tensor>
{
    readonly Module<Tensor, Tensor> features;
    readonly Module<Tensor, Tensor> classifier;

    const double Slope = 0.2; // LeakyReLU's negative slope
    const int FirstStride = 2, FirstPadding = 1;
    readonly Implementation implementation;

    public int Outputs { get; }

    public Discriminator(int outputs = 10, double dropout = 0.3, Implementation implementation = Implementation.Fast, string name = "Discriminator") : base(name)
    {
        Outputs = outputs;
        this.implementation = implementation;
        // Fast: LeakyReLU and dropout as one fused module in dropout's place (Identity keeps the layer
        // indices, so both implementations share one state_dict layout).
        bool fast = implementation == Implementation.Fast;
        Module<Tensor, Tensor> Activation() => fast ? Identity() : LeakyReLU(Slope);
        Module<Tensor, Tensor> Dropout(double p) => fast ? new LeakyReLUDropout(Slope, p) : nn.Dropout(p);
        var layers = new List<Module<Tensor, Tensor>>
        {
            // 28x28 -> 14x14; no batch norm on the first layer (DCGAN convention).
            Conv2d(1, 32, kernel_size: 4, stride: FirstStride, padding: FirstPadding),
            Activation(),
            Dropout(dropout),
            // 14x14 -> 7x7
            Conv2d(32, 64, kernel_size: 4, stride: 2, padding: 1, bias: false),
            BatchNorm2d(64),
            Activation(),
            Dropout(dropout),
            // 7x7 -> 4x4
            Conv2d(64, 128, kernel_size: 3, stride: 2, padding: 1, bias: false),
            BatchNorm2d(128),
            Activation(),
            Dropout(dropout),
        };
        // Flatten's backward sends a [N,C,H,W]-ordered gradient; keep the layers above channels-last.
        if (fast) layers.Add(new ChannelsLastGradient());
        layers.Add(Flatten());
        features = Sequential(layers.ToArray());
        classifier = Linear(128 * 4 * 4, outputs);
        RegisterComponents();
        WeightInit.Dcgan(this);
    }

    public Discriminator(KPlusOneHead head, double dropout, Implementation implementation = Implementation.Fast)
        : this(head.Outputs(), dropout, implementation) { }

    public override Tensor forward(Tensor x)
    {
        if (implementation == Implementation.Reference) return classifier.forward(features.forward(x));
        // Fast: activations in channels-last layout (oneDNN's convolutions then skip layout reorders).
        var first = (TorchSharp.Modules.Conv2d)Layers[0];
        var h = ChannelsLast.From(x);
        // In the generator update D is frozen and only the gradient for its input image is needed.
        h = h.requires_grad && !first.weight!.requires_grad
            ? SingleChannelConvolution.FromImageInputGradientOnly(h, first.weight, first.bias!, FirstStride, FirstPadding)
            : first.forward(h);
        return classifier.forward(Rest(h, null));
    }

    /// <summary>
    /// forward(a) and forward(b) — in that order, as two calls would compute them: each batch norm
    /// normalises each batch with that batch's own statistics and updates its running statistics with a's,
    /// then b's. Fast: both batches go through each convolution and linear layer together, one call (and
    /// one backward call) instead of two.
    /// </summary>
    public (Tensor A, Tensor B) forward(Tensor a, Tensor b)
    {
        if (implementation == Implementation.Reference) return (forward(a), forward(b));
        long na = a.shape[0], nb = b.shape[0];
        var h = Layers[0].forward(ChannelsLast.From(cat([a, b], 0)));
        var output = classifier.forward(Rest(h, [na, nb]));
        return (output.narrow(0, 0, na), output.narrow(0, na, nb));
    }

    Module<Tensor, Tensor>[] Layers => features.children().Cast<Module<Tensor, Tensor>>().ToArray();

    /// <summary>The feature layers after the first convolution; with batchSizes, batch norm per batch.</summary>
    Tensor Rest(Tensor h, long[]? batchSizes)
    {
        var layers = Layers;
        for (int i = 1; i < layers.Length; i++)
        {
            if (batchSizes is not null && layers[i] is TorchSharp.Modules.BatchNorm2d norm && norm.training)
                h = cat(h.split(batchSizes, 0).Select(part => norm.forward(part)).ToArray(), 0);
            else
                h = layers[i].forward(h);
        }
        return h;
    }

    public long ParameterCount() => parameters().Sum(p => p.numel());
}
