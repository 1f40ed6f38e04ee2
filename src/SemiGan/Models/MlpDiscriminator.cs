using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// The MNIST discriminator of Salimans et al. (2016): an MLP 784-1000-500-250-250-250-K of weight-normalised
/// layers with ReLU, Gaussian noise σ 0.3 on the input (added by the method, as for the CNN) and σ after
/// every hidden layer (0.5 in the original; training mode only). The features feature matching compares
/// are the last hidden layer's output, taken before its noise.
/// </summary>
public sealed class MlpDiscriminator : Classifier
{
    public static readonly int[] Hidden = [1000, 500, 250, 250, 250];

    internal readonly TorchSharp.Modules.ModuleList<WeightNormLinear> layers;
    internal readonly WeightNormLinear classifier;

    public override KPlusOneHead Head { get; }
    public override int Classes { get; }
    public double HiddenNoise { get; }

    public MlpDiscriminator(KPlusOneHead head, double hiddenNoise, ImageShape? input = null) : base(nameof(MlpDiscriminator))
    {
        var shape = input ?? ImageShape.Default;
        (Head, Classes, HiddenNoise) = (head, shape.Classes, hiddenNoise);
        // Classifier first, as the CNN draws its weights, so a seed's draw does not depend on the hidden sizes.
        classifier = new WeightNormLinear(Hidden[^1], head.Outputs(shape.Classes));
        int inputs = shape.Channels * shape.Height * shape.Width;
        layers = nn.ModuleList(Hidden.Select((n, i) => new WeightNormLinear(i == 0 ? inputs : Hidden[i - 1], n)).ToArray());
        RegisterComponents();
    }

    public override Tensor Features(Tensor x)
    {
        var h = x.flatten(1);
        for (int i = 0; i < layers.Count; i++)
        {
            if (i > 0) h = Noise(h);
            h = nn.functional.relu(layers[i].forward(h));
        }
        return h;
    }

    public override Tensor Classify(Tensor features) => classifier.forward(Noise(features));

    Tensor Noise(Tensor h) => training && HiddenNoise > 0 ? h + randn_like(h) * HiddenNoise : h;
}
