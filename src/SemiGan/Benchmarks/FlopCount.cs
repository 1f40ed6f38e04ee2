namespace SemiGan.Benchmarks;

/// <summary>
/// Analytic floating-point operation counts (multiply and add counted separately) of the networks'
/// forward pass per image. A backward pass is counted as twice its forward (gradients for inputs and
/// for weights), the usual convention; bias, batch-norm and activation work is left out (a few %).
/// </summary>
public static class FlopCount
{
    static long Conv(int cin, int cout, int k, int hOut, int wOut) => 2L * cin * cout * k * k * hOut * wOut;

    /// <summary>The Discriminator: conv 1→32 (14x14), 32→64 (7x7), 64→128 (4x4), linear 2048→outputs.</summary>
    public static long DiscriminatorForward(int outputs) =>
        Conv(1, 32, 4, 14, 14) + Conv(32, 64, 4, 7, 7) + Conv(64, 128, 3, 4, 4) + 2L * 2048 * outputs;

    /// <summary>The Generator: linear latent→6272, transposed conv 128→64 (to 14x14), 64→1 (to 28x28).</summary>
    public static long GeneratorForward(int latent) =>
        2L * latent * 128 * 7 * 7 + 2L * 128 * 64 * 4 * 4 * 7 * 7 + 2L * 64 * 1 * 4 * 4 * 14 * 14;

    /// <summary>
    /// One SGAN step per image of the real batch: D forward on real and on fake, D backward on both;
    /// G forward; then D forward on fake again and backward through D into G.
    /// </summary>
    public static long SganStep(int outputs, int latent) =>
        3 * DiscriminatorForward(outputs) + 2 * 3 * DiscriminatorForward(outputs) + 3 * GeneratorForward(latent);

    /// <summary>One baseline step per labeled image: D forward and backward.</summary>
    public static long BaselineStep(int outputs) => 3 * DiscriminatorForward(outputs);
}
