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
            ["SGAN step (reference)", "baseline step (reference)", "SGAN step", "baseline step", "evaluation (10,000 images)"],
            report.Results.Select(r => r.Name));
        Assert.All(report.Results, r => Assert.True(r.MedianMs > 0 && r.FlopsPerCall > 0, r.Name));
        Assert.True(report.MatmulGflops > 0);
        // The fast SGAN step skips D's weight gradients in the generator update: one D forward fewer in the count.
        var fast = report.Results.Single(r => r.Name == "SGAN step");
        var reference = report.Results.Single(r => r.Name == "SGAN step (reference)");
        Assert.Equal(reference.FlopsPerCall - FlopCount.DiscriminatorForward(10) * 20, fast.FlopsPerCall);
    }
}
