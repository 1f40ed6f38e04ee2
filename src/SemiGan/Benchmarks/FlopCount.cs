using SemiGan.Models;

namespace SemiGan.Benchmarks;

/// <summary>
/// Analytic floating-point operation counts (multiply and add counted separately) per image, of the
/// matrix work the step actually performs: a layer's forward pass F, its weight gradient (another F)
/// and its input gradient (another F) only where that gradient is needed. Bias, batch-norm, activation
/// and optimizer work is left out (a few %).
/// </summary>
public static class FlopCount
{
    static long Conv(int cin, int cout, int k, int hOut, int wOut) => 2L * cin * cout * k * k * hOut * wOut;

    /// <summary>The discriminator's first layer (conv 1→32 to 14x14): its input gradient is needed only when the input is a generated image being trained through.</summary>
    public static long DiscriminatorFirstLayer => Conv(1, 32, 4, 14, 14);

    /// <summary>The Discriminator: conv 1→32 (14x14), 32→64 (7x7), 64→128 (4x4), linear 2048→outputs.</summary>
    public static long DiscriminatorForward(int outputs) =>
        DiscriminatorFirstLayer + Conv(32, 64, 4, 7, 7) + Conv(64, 128, 3, 4, 4) + 2L * 2048 * outputs;

    /// <summary>The generator's first layer (linear latent→6272): no gradient is taken for its input z.</summary>
    public static long GeneratorFirstLayer(int latent) => 2L * latent * 128 * 7 * 7;

    /// <summary>The Generator: linear latent→6272, transposed conv 128→64 (to 14x14), 64→1 (to 28x28).</summary>
    public static long GeneratorForward(int latent) =>
        GeneratorFirstLayer(latent) + 2L * 128 * 64 * 4 * 4 * 7 * 7 + 2L * 64 * 1 * 4 * 4 * 14 * 14;

    /// <summary>
    /// One SGAN step per image of the real batch. Discriminator update, for the real and the generated
    /// batch each: forward, weight gradients, input gradients except the first layer's (3D − first).
    /// Generator update: G forward once (reused), D forward on the generated batch and input gradients
    /// through it (2D; the reference path also computed D's weight gradients there, +D), then G's weight
    /// and input gradients except for z (3G − first).
    /// </summary>
    public static long SganStep(int outputs, int latent, Implementation implementation = Implementation.Fast)
    {
        long d = DiscriminatorForward(outputs), g = GeneratorForward(latent);
        long discriminatorUpdate = 2 * (3 * d - DiscriminatorFirstLayer);
        long throughD = implementation == Implementation.Reference ? 3 * d : 2 * d;
        return discriminatorUpdate + throughD + 3 * g - GeneratorFirstLayer(latent);
    }

    /// <summary>One baseline step per labeled image: forward, weight gradients, input gradients except the first layer's.</summary>
    public static long BaselineStep(int outputs) => 3 * DiscriminatorForward(outputs) - DiscriminatorFirstLayer;
}
