using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>
/// Gaussian noise in a discriminator in training, as Salimans et al.'s feature-matching recipe has it: σ 0.3 on the
/// input in [0,1] units (0.6 on this harness's [-1,1] images) and, in the MLP, σ 0.5 after each hidden layer.
/// </summary>
public static class InputNoise
{
    public const double Sigma = 0.6, HiddenSigma = 0.5;

    /// <summary>x + N(0, σ²) from torch's random stream (x itself when σ is 0).</summary>
    public static Tensor Add(Tensor x, double sigma) => sigma > 0 ? x + randn_like(x) * sigma : x;
}
