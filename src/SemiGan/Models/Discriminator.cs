using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SemiGan.Models;

/// <summary>
/// The CNN classifier shared by every method (one class, so comparisons are architecture-for-architecture):
/// three stride-2 convolutions with LeakyReLU(0.2) and dropout, batch norm on all but the first (DCGAN
/// conventions), then a linear layer to the class logits — K of them, plus a "fake" logit for the
/// softmax11 head. Input [B,C,H,W] in [-1,1].
/// </summary>
public sealed class Discriminator : Classifier
{
    /// <summary>The three convolutions: 32, 64, 128 channels (28x28 → 14x14 → 7x7 → 4x4 for MNIST).</summary>
    public static readonly ConvGeometry[] Convolutions = [new(32, 4, 2, 1), new(64, 4, 2, 1), new(128, 3, 2, 1)];
    public const double Slope = 0.2; // LeakyReLU's negative slope

    // Declared and built in forward order.
    internal readonly Conv2d conv1;
    internal readonly Conv2d conv2;
    internal readonly BatchNorm2d norm2;
    internal readonly Conv2d conv3;
    internal readonly BatchNorm2d norm3;
    internal readonly Linear classifier;

    public override KPlusOneHead Head { get; }
    public override int Classes { get; }
    public int Outputs { get; }
    public double DropoutRate { get; }
    public Implementation Implementation { get; }

    public Discriminator(KPlusOneHead head, double dropout, Implementation implementation = Implementation.Fast, ImageShape? input = null)
        : base(nameof(Discriminator))
    {
        var shape = input ?? ImageShape.Default;
        (Head, Classes, Outputs, DropoutRate, Implementation) = (head, shape.Classes, head.Outputs(shape.Classes), dropout, implementation);
        var (c1, c2, c3) = (Convolutions[0], Convolutions[1], Convolutions[2]);
        conv1 = Conv(shape.Channels, c1, bias: true); // no batch norm on the first layer, so it keeps its bias
        conv2 = Conv(c1.Channels, c2, bias: false);
        norm2 = BatchNorm2d(c2.Channels);
        conv3 = Conv(c2.Channels, c3, bias: false);
        norm3 = BatchNorm2d(c3.Channels);
        int h = c3.Out(c2.Out(c1.Out(shape.Height))), w = c3.Out(c2.Out(c1.Out(shape.Width)));
        classifier = Linear(c3.Channels * h * w, Outputs);
        RegisterComponents();
        // Drawn classifier first: the order of the first version (whose layers sat in a Sequential visited
        // after the classifier), so every seed keeps its initial weights and results stay reproducible.
        foreach (var layer in new nn.Module[] { classifier, conv1, conv2, norm2, conv3, norm3 }) WeightInit.Layer(layer);
    }

    /// <summary>A discriminator with 10 class logits (gan_logit) or 11 (softmax11) for MNIST-shaped images.</summary>
    public Discriminator(int outputs, double dropout, Implementation implementation = Implementation.Fast)
        : this(outputs == ImageShape.Default.Classes ? KPlusOneHead.GanLogit : KPlusOneHead.Softmax11, dropout, implementation) { }

    static Conv2d Conv(int input, ConvGeometry g, bool bias) =>
        Conv2d(input, g.Channels, kernel_size: g.Kernel, stride: g.Stride, padding: g.Padding, bias: bias);

    /// <summary>Logits: the K class logits, then the fake logit under softmax11.</summary>
    public override Tensor Classify(Tensor features) => Autocast.Linear(classifier, features);

    /// <summary>The penultimate features f(x) (the flattened last convolution block), which feature matching compares.</summary>
    public override Tensor Features(Tensor x)
    {
        if (Implementation == Implementation.Fast) return FastForward.Current.Features(this, x);
        var h = Activation(Autocast.Conv2d(conv1, x));
        h = Activation(norm2.forward(Autocast.Conv2d(conv2, h)));
        h = Activation(norm3.forward(Autocast.Conv2d(conv3, h)));
        return h.flatten(1);
    }

    Tensor Activation(Tensor h)
    {
        var y = functional.leaky_relu(h, Slope);
        // Test-only (DropoutInjection): an injected mask, applied as torch's dropout applies its own.
        if (training && DropoutRate > 0 && DropoutInjection.Masks is { } masks) return y * (masks(h) / (1 - DropoutRate));
        return functional.dropout(y, DropoutRate, training);
    }

    /// <summary>
    /// forward(a) and forward(b) — in that order, as two calls compute them: each batch norm normalises
    /// each batch with its own statistics and updates its running statistics with a's, then b's. The fast
    /// implementation sends both through each convolution together.
    /// </summary>
    public override (Tensor A, Tensor B) forward(Tensor a, Tensor b) =>
        Implementation == Implementation.Fast ? FastForward.Current.Forward(this, a, b) : (forward(a), forward(b));
}
