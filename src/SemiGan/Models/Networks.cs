using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace SemiGan.Models;

/// <summary>
/// A K(+1)-class discriminator, whatever its architecture: logits = Classify(Features(x)). Feature matching
/// compares <see cref="Features"/>; evaluation reads the class logits of <see cref="Module{T,TResult}.forward"/>.
/// </summary>
public abstract class Classifier(string name) : Module<Tensor, Tensor>(name)
{
    public abstract KPlusOneHead Head { get; }
    /// <summary>K, the number of classes (the fake logit of softmax11 is not one).</summary>
    public abstract int Classes { get; }

    /// <summary>The penultimate features f(x).</summary>
    public abstract Tensor Features(Tensor x);

    /// <summary>The logits from the features: the K class logits, then the fake logit under softmax11.</summary>
    public abstract Tensor Classify(Tensor features);

    public override Tensor forward(Tensor x) => Classify(Features(x));

    /// <summary>forward(a) then forward(b), as two calls compute them (an architecture may compute both at once).</summary>
    public virtual (Tensor A, Tensor B) forward(Tensor a, Tensor b) => (forward(a), forward(b));

    public long ParameterCount() => parameters().Sum(p => p.numel());
}

/// <summary>A generator of images in [-1,1] from latent vectors z ~ N(0, I).</summary>
public abstract class ImageGenerator(string name) : Module<Tensor, Tensor>(name)
{
    public abstract int LatentDim { get; }
}

/// <summary>The networks' shape: the seed's CNN, or the MLP of Salimans et al. (2016) for MNIST.</summary>
public enum Architecture { Cnn, Mlp }

public static class Architectures
{
    public static readonly string[] Names = ["cnn", "mlp"];

    public static string Name(this Architecture a) => a == Architecture.Cnn ? "cnn" : "mlp";

    public static Architecture Parse(string s) => s switch
    {
        "cnn" => Architecture.Cnn,
        "mlp" => Architecture.Mlp,
        _ => throw new ArgumentException($"architecture: '{s}' is not one of cnn, mlp"),
    };

    /// <summary>The classifier of an architecture. Its initial weights are drawn from torch's current random state.</summary>
    /// <param name="hiddenNoise">Gaussian noise σ after each hidden layer (the MLP's; the CNN has dropout instead).</param>
    public static Classifier Classifier(Architecture a, KPlusOneHead head, double dropout, double hiddenNoise, Implementation implementation, ImageShape shape) =>
        a == Architecture.Cnn
            ? new Discriminator(head, dropout, implementation, shape)
            : new MlpDiscriminator(head, hiddenNoise, shape);

    public static ImageGenerator Generator(Architecture a, int latentDim, Implementation implementation, ImageShape shape) =>
        a == Architecture.Cnn ? new Generator(latentDim, implementation, shape) : new MlpGenerator(latentDim, shape);
}
