using static TorchSharp.torch;

namespace SemiGan.Kernels;

/// <summary>
/// Test-only: a deliberate error in one named layer of the fast implementation, so tests can show that
/// <c>FastPathCheck</c> catches a fast path that computes something else and that a run then falls back
/// (or stops). Nothing in the program sets it.
/// </summary>
public static class FaultInjection
{
    /// <summary>The layer to corrupt ("generator.linear"), or null (always, outside tests).</summary>
    public static string? Layer { get; set; }

    /// <summary>What the fault adds to every output of the layer.</summary>
    public static double Size { get; set; } = 0.01;

    internal static Tensor At(string layer, Tensor output) => Layer == layer ? output.add(Size) : output;
}
