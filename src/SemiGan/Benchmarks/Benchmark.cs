using System.Diagnostics;
using SemiGan.Models;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Benchmarks;

/// <summary>One timed item: median milliseconds per call over the repeats, and what that means in throughput.</summary>
public sealed record BenchResult(string Name, double MedianMs, double ImagesPerCall, long FlopsPerCall)
{
    public double ImagesPerSecond => ImagesPerCall / (MedianMs / 1000);
    public double GflopsPerSecond => FlopsPerCall / (MedianMs / 1000) / 1e9;
}

public sealed record BenchReport(IReadOnlyList<BenchResult> Results, double MatmulGflops, long PeakResidentBytes, int Threads, string Device, int BatchSize);

/// <summary>
/// Times the real training steps (<see cref="SganTrainer"/>, <see cref="BaselineTrainer"/>), in both the
/// fast and the reference <see cref="Implementation"/>, and the
/// evaluation pass on random data of MNIST's shape (speed does not depend on pixel values), after a
/// warm-up, as the median of several repeats; and the machine's own fp32 matrix-multiply speed in the
/// same process, so achieved GFLOP/s can be read as a share of what the machine can do.
/// </summary>
public static class Benchmark
{
    public static BenchReport Run(Device device, int batchSize = 100, int steps = 20, int repeats = 5, int warmup = 5, Action<string>? log = null)
    {
        torch.random.manual_seed(0);
        int n = batchSize * 10;
        using var images = rand(n, 1, 28, 28, device: device).mul_(2).sub_(1);
        using var labels = randint(0, 10, n, dtype: ScalarType.Int64, device: device);
        using var testImages = rand(10000, 1, 28, 28, device: device);
        using var testLabels = randint(0, 10, 10000, dtype: ScalarType.Int64, device: device);

        // Masked-protocol SGAN steps (2 labeled images per batch, as with 1000 labels in 60,000) and
        // full-batch baseline steps (the streams protocol).
        Step SganStep(int i)
        {
            long[] real = Enumerable.Range(0, batchSize).Select(k => (long)((i * batchSize + k) % n)).ToArray();
            return new Step(real, [real[0], real[1]], [0, 1]);
        }
        Step BaselineStep(int i) => new(Enumerable.Range(0, batchSize).Select(k => (long)((i * batchSize + k) % n)).ToArray(),
            Enumerable.Range(0, batchSize).Select(k => (long)((i * batchSize + k) % n)).ToArray(), null);

        double matmulBefore = MatmulGflops(device);

        // The reference path first, with glibc's default allocator settings, as it first landed;
        // then the fast path with the allocator tuned as `semigan run` tunes it.
        var results = new List<BenchResult>();
        foreach (var impl in new[] { Implementation.Reference, Implementation.Fast })
        {
            if (impl == Implementation.Fast) NativeAllocator.KeepFreedMemory();
            string tag = impl == Implementation.Fast ? "" : " (reference)";
            torch.random.manual_seed(1);
            using (var d = new Discriminator(10, 0.3, impl))
            using (var g = new Models.Generator(100, impl))
            {
                d.to(device); g.to(device);
                using var sgan = new SganTrainer(d, g, KPlusOneHead.GanLogit, 2e-4, 0.5, 0.999, device, impl);
                sgan.TrainEpoch(Enumerable.Range(0, warmup).Select(SganStep), images, labels);
                double ms = Median(repeats, () => sgan.TrainEpoch(Enumerable.Range(0, steps).Select(SganStep), images, labels)) / steps;
                results.Add(new BenchResult("SGAN step" + tag, ms, batchSize, FlopCount.SganStep(10, 100, impl) * batchSize));
                log?.Invoke($"SGAN step{tag}: {ms:F1} ms");
            }
            using (var d = new Discriminator(10, 0.3, impl))
            {
                d.to(device);
                using var baseline = new BaselineTrainer(d, 2e-4, 0.5, 0.999, device, impl);
                baseline.TrainEpoch(Enumerable.Range(0, warmup).Select(BaselineStep), images, labels);
                double ms = Median(repeats, () => baseline.TrainEpoch(Enumerable.Range(0, steps).Select(BaselineStep), images, labels)) / steps;
                results.Add(new BenchResult("baseline step" + tag, ms, batchSize, FlopCount.BaselineStep(10) * batchSize));
                log?.Invoke($"baseline step{tag}: {ms:F1} ms");

                if (impl == Implementation.Fast)
                {
                    Evaluator.Evaluate(d, testImages, testLabels, 1000, device);
                    double evalMs = Median(Math.Max(2, repeats / 2), () => Evaluator.Evaluate(d, testImages, testLabels, 1000, device));
                    results.Add(new BenchResult("evaluation (10,000 images)", evalMs, 10000, FlopCount.DiscriminatorForward(10) * 10000));
                    log?.Invoke($"evaluation: {evalMs:F1} ms");
                }
            }
        }
        // The machine's matmul speed, measured before and after the steps; the better of the two is kept,
        // so a noisy moment cannot lower the yardstick (and flatter the ratio).
        double matmul = Math.Max(matmulBefore, MatmulGflops(device));
        using var self = Process.GetCurrentProcess();
        return new BenchReport(results, matmul, self.PeakWorkingSet64, get_num_threads(), device.type.ToString(), batchSize);
    }

    /// <summary>fp32 square matrix multiply (1024x1024), median of repeats: the machine's practical peak for dense math.</summary>
    public static double MatmulGflops(Device device, int size = 1024, int repeats = 7)
    {
        using var a = randn(size, size, device: device);
        using var b = randn(size, size, device: device);
        using (var warm = a.mm(b)) { }
        double ms = Median(repeats, () => { using var c = a.mm(b); if (device.type == DeviceType.CUDA) cuda.synchronize(); });
        return 2.0 * size * size * size / (ms / 1000) / 1e9;
    }

    static double Median(int repeats, Action body)
    {
        var times = new double[repeats];
        for (int r = 0; r < repeats; r++)
        {
            var sw = Stopwatch.StartNew();
            body();
            times[r] = sw.Elapsed.TotalMilliseconds;
        }
        Array.Sort(times);
        return repeats % 2 == 1 ? times[repeats / 2] : (times[repeats / 2 - 1] + times[repeats / 2]) / 2;
    }
}
