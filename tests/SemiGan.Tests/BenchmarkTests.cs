using SemiGan.Kernels;
using SemiGan.Benchmarks;
using static TorchSharp.torch;

namespace SemiGan.Tests;

public class BenchmarkTests
{
    [Fact]
    public void Bench_times_both_implementations_of_both_steps_and_evaluation()
    {
        // Shape of the report only: speed figures come from `semigan bench` on an idle machine.
        var report = Benchmark.Run(CPU, batchSize: 20, steps: 1, repeats: 1, warmup: 1);
        Assert.Equal(
            ((string[])["SGAN step (reference)", "baseline step (reference)", "SGAN step", "baseline step", "evaluation (10,000 images)"])
                .Concat(Methods.MethodRegistry.All.Select(m => $"{m.Name} method step (streams)")),
            report.Results.Select(r => r.Name));
        Assert.All(report.Results, r => Assert.True(r.MedianMs > 0 && (r.FlopsPerCall > 0 || r.Name.Contains("method step")), r.Name));
        Assert.True(report.Matmul.TorchMmGflops > 0 && report.Matmul.ConvolutionGflops > 0);
        Assert.Equal(Math.Max(report.Matmul.TorchMmGflops, report.Matmul.ConvolutionGflops), report.MatmulGflops);
        // The fast SGAN step skips D's weight gradients in the generator update: one D forward fewer in the count.
        var fast = report.Results.Single(r => r.Name == "SGAN step");
        var reference = report.Results.Single(r => r.Name == "SGAN step (reference)");
        Assert.Equal(reference.FlopsPerCall - FlopCount.DiscriminatorForward(10) * 20, fast.FlopsPerCall);
    }

    [Fact]
    public void The_convolution_yardstick_computes_the_same_matrix_product_as_mm()
    {
        manual_seed(3);
        using var a = randn(16, 24);
        using var b = randn(24, 8);
        using var image = Benchmark.ConvolutionOperand(a);
        using var y = nn.functional.conv2d(image, b.t().reshape(8, 24, 1, 1));
        // [1,N,4,4] back to [M,N] in pixel order.
        using var product = y.permute(0, 2, 3, 1).reshape(16, 8);
        Assert.True(product.allclose(a.mm(b), rtol: 1e-4, atol: 1e-4));
    }
}
