using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SemiGan.Models;

/// <summary>
/// The MNIST generator of Salimans et al. (2016): z → 500 → 500 (each linear without bias, batch norm,
/// softplus) → a weight-normalised linear layer to the image → sigmoid, rescaled to [-1,1] (this harness's
/// image range; the original's images were in [0,1]).
/// </summary>
public sealed class MlpGenerator : ImageGenerator
{
    internal readonly Linear hidden1, hidden2;
    internal readonly BatchNorm1d norm1, norm2;
    internal readonly WeightNormLinear toImage;

    public override int LatentDim { get; }
    public ImageShape Shape { get; }

    public MlpGenerator(int latentDim = 100, ImageShape? shape = null) : base(nameof(MlpGenerator))
    {
        (LatentDim, Shape) = (latentDim, shape ?? ImageShape.Default);
        hidden1 = nn.Linear(latentDim, 500, hasBias: false); // batch norm follows: no bias
        norm1 = nn.BatchNorm1d(500);
        hidden2 = nn.Linear(500, 500, hasBias: false);
        norm2 = nn.BatchNorm1d(500);
        toImage = new WeightNormLinear(500, Shape.Channels * Shape.Height * Shape.Width);
        RegisterComponents();
    }

    public override Tensor forward(Tensor z)
    {
        var h = nn.functional.softplus(norm1.forward(Autocast.Linear(hidden1, z)));
        h = nn.functional.softplus(norm2.forward(Autocast.Linear(hidden2, h)));
        return (toImage.forward(h).sigmoid() * 2 - 1).view(-1, Shape.Channels, Shape.Height, Shape.Width);
    }
}
