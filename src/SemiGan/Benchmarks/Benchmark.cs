using SemiGan.Kernels;
using System.Diagnostics;
using SemiGan.Models;
using SemiGan.Methods;
using SemiGan.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Benchmarks;

/// <summary>What a bench item times. Written into the bench JSON as "Item", so readers select items by value, not by their text.</summary>
public enum BenchItem { SganStep, BaselineStep, Evaluation, MethodStep }

/// <summary>
/// One timed item: what it times (<see cref="Item"/>; for a method step, <see cref="Method"/>; <see cref="Reference"/> when the
/// reference implementation ran it), median milliseconds per call over the repeats, and what that means in throughput.
/// </summary>
public sealed record BenchResult(BenchItem Item, string? Method, bool Reference, double MedianMs, double ImagesPerCall, long FlopsPerCall)
{
    /// <summary>The precision it ran at (<see cref="Autocast"/>); float32 unless the item says bf16.</summary>
    public Precision Precision { get; init; }

    /// <summary>The item's display name, e.g. "SGAN step (reference)", "fixmatch method step (streams)" or "SGAN step bf16".</summary>
    public string Name => NameOf(Item, Method, Reference) + (Precision == Precision.Bf16 ? Bf16Tag : "");

    /// <summary>Appended to an item's name when it ran at bf16.</summary>
    public const string Bf16Tag = " bf16";

    public double ImagesPerSecond => ImagesPerCall / (MedianMs / 1000);
    public double GflopsPerSecond => FlopsPerCall / (MedianMs / 1000) / 1e9;

    /// <summary>Appended to an item's name when the reference implementation ran it.</summary>
    public const string ReferenceTag = " (reference)";
    /// <summary>Appended to a method's name for its step.</summary>
    public const string MethodStepSuffix = " method step (streams)";

    public static string NameOf(BenchItem item, string? method, bool reference) => item switch
    {
        BenchItem.SganStep => "SGAN step",
        BenchItem.BaselineStep => "baseline step",
        BenchItem.Evaluation => "evaluation (10,000 images)",
        _ => method + MethodStepSuffix,
    } + (reference ? ReferenceTag : "");

    /// <summary>
    /// What a name of <see cref="NameOf"/> says, for bench files written before items were recorded by value (entries with a
    /// Name only); null for a name it never gave.
    /// </summary>
    public static (BenchItem Item, string? Method, bool Reference)? ParseName(string name)
    {
        bool reference = name.EndsWith(ReferenceTag, StringComparison.Ordinal);
        string bare = reference ? name[..^ReferenceTag.Length] : name;
        if (bare.EndsWith(MethodStepSuffix, StringComparison.Ordinal)) return (BenchItem.MethodStep, bare[..^MethodStepSuffix.Length], reference);
        if (bare == "SGAN step") return (BenchItem.SganStep, null, reference);
        if (bare == "baseline step") return (BenchItem.BaselineStep, null, reference);
        if (bare.StartsWith("evaluation", StringComparison.Ordinal)) return (BenchItem.Evaluation, null, reference);
        return null;
    }
}

/// <summary>
/// The machine's fp32 matrix-multiply speed, 1024x1024 times 1024x1024, measured two ways: torch.mm (the
/// BLAS libtorch links) and the same product as a 1x1 convolution (oneDNN's kernels, which the networks'
/// convolutions also use). The yardstick is the faster of the two: on some CPUs (seen on an AMD EPYC with
/// AVX-512) the BLAS path reaches only half of what oneDNN does, and a yardstick below what the machine
/// demonstrably achieves would flatter every ratio.
/// </summary>
public sealed record MatmulSpeed(double TorchMmGflops, double ConvolutionGflops)
{
    public double Gflops => Math.Max(TorchMmGflops, ConvolutionGflops);
    public static MatmulSpeed Better(MatmulSpeed a, MatmulSpeed b) =>
        new(Math.Max(a.TorchMmGflops, b.TorchMmGflops), Math.Max(a.ConvolutionGflops, b.ConvolutionGflops));
}

public sealed record BenchReport(IReadOnlyList<BenchResult> Results, MatmulSpeed Matmul, long PeakResidentBytes, int Threads, string Device, int BatchSize)
{
    public double MatmulGflops => Matmul.Gflops;
    /// <summary>The same product in bfloat16 (null when bf16 was not timed): the roof of the bf16 items.</summary>
    public MatmulSpeed? MatmulBf16 { get; init; }
}

/// <summary>
/// Times every registered method's training step (fast path), the real SGAN and baseline steps
/// (<see cref="SganTrainer"/>, <see cref="BaselineTrainer"/>) in both the
/// fast and the reference <see cref="Implementation"/>, and the
/// evaluation pass on random data of MNIST's shape (speed does not depend on pixel values), after a
/// warm-up, as the median of several repeats; and the machine's own fp32 matrix-multiply speed in the
/// same process, so achieved GFLOP/s can be read as a share of what the machine can do.
/// </summary>
public static class Benchmark
{
    /// <param name="bf16">Also time the fast steps, evaluation and every method's step at bf16, and the bf16 matmul roof.</param>
    public static BenchReport Run(Device device, int batchSize = 100, int steps = 20, int repeats = 5, int warmup = 5, Action<string>? log = null, bool bf16 = false)
    {
        torch.random.manual_seed(0);
        int n = batchSize * 10;
        var shape = ImageShape.Default;
        using var images = rand([n, shape.Channels, shape.Height, shape.Width], device: device).mul_(2).sub_(1);
        using var labels = randint(0, 10, n, dtype: ScalarType.Int64, device: device);
        using var testImages = rand([10000, shape.Channels, shape.Height, shape.Width], device: device);
        using var testLabels = randint(0, 10, 10000, dtype: ScalarType.Int64, device: device);

        // Masked-protocol SGAN steps (2 labeled images per batch, as with 1000 labels in 60,000) and
        // full-batch baseline steps (the streams protocol).
        Step SganStep(DataNeeds _, int i)
        {
            long[] real = Enumerable.Range(0, batchSize).Select(k => (long)((i * batchSize + k) % n)).ToArray();
            return new Step(real, [real[0], real[1]], [0, 1]);
        }
        Step BaselineStep(DataNeeds _, int i) => StreamsStep(DataNeeds.Protocol, batchSize, n, i);

        var matmulBefore = MeasureMatmul(device);

        // The SGAN on masked-protocol steps and the baseline on full batches, each on both implementations: the reference
        // path first, with glibc's default allocator settings, as it first landed; then the fast path with the allocator
        // tuned as `semigan run` tunes it. Then every registered method's own step on streams-protocol steps as its runs
        // feed it (μ·B unlabeled images, so fixmatch's μ = 7 is timed as such, and a separate full labeled batch; see
        // StreamsStep), so methods compare at the same batch size B; fast implementation, the CNN.
        var results = new List<BenchResult>();
        void Add(BenchResult r)
        {
            results.Add(r);
            log?.Invoke($"{r.Name}: {r.MedianMs:F1} ms");
        }
        var common = new MethodSettings { SampleCount = 0, Epochs = 1, Dropout = 0.3 };
        double Time(IMethod method, Protocol protocol, Implementation impl, Func<DataNeeds, int, Step> step)
        {
            var run = new RunSpec(batchSize, protocol, KPlusOneHead.GanLogit, 1, method.Name);
            torch.random.manual_seed(1);
            using var m = method.Start(new MethodContext(run, common.With(method), shape, device, impl));
            EpochData Epoch(int count) => new(1, Enumerable.Range(0, count).Select(i => step(m.Needs, i)), count,
                (s, i) => new Batch(s, 1, i, count, 1, images, labels, device, m.Needs), null);
            m.Train(Epoch(warmup));
            return Median(repeats, () => m.Train(Epoch(steps))) / steps;
        }
        foreach (var impl in new[] { Implementation.Reference, Implementation.Fast })
        {
            if (impl == Implementation.Fast) NativeAllocator.KeepFreedMemory();
            bool reference = impl == Implementation.Reference;
            double sganMs = Time(Methods.MethodRegistry.Get("sgan"), Protocol.Masked, impl, SganStep);
            Add(new BenchResult(BenchItem.SganStep, null, reference, sganMs, batchSize, FlopCount.SganStep(10, 100, impl) * batchSize));
            double baselineMs = Time(Methods.MethodRegistry.Get("baseline"), Protocol.Streams, impl, BaselineStep);
            Add(new BenchResult(BenchItem.BaselineStep, null, reference, baselineMs, batchSize, FlopCount.BaselineStep(10) * batchSize));
        }
        using (var d = new Discriminator(10, 0.3, Implementation.Fast))
        {
            d.to(device);
            Evaluator.Evaluate(d, testImages, testLabels, 1000, device);
            double evalMs = Median(Math.Max(2, repeats / 2), () => Evaluator.Evaluate(d, testImages, testLabels, 1000, device));
            Add(new BenchResult(BenchItem.Evaluation, null, false, evalMs, 10000, FlopCount.DiscriminatorForward(10) * 10000));
        }
        foreach (var method in Methods.MethodRegistry.All)
        {
            double ms = Time(method, Protocol.Streams, Implementation.Fast, (needs, i) => StreamsStep(needs, batchSize, n, i));
            Add(new BenchResult(BenchItem.MethodStep, method.Name, false, ms, batchSize, 0));
        }
        MatmulSpeed? matmulBf16 = null;
        if (bf16)
        {
            // The fast path's items again, each layer computing as a bf16 run's does.
            using var precision = Autocast.Use(Precision.Bf16);
            Add(new BenchResult(BenchItem.SganStep, null, false, Time(Methods.MethodRegistry.Get("sgan"), Protocol.Masked, Implementation.Fast, SganStep),
                batchSize, FlopCount.SganStep(10, 100, Implementation.Fast) * batchSize) { Precision = Precision.Bf16 });
            Add(new BenchResult(BenchItem.BaselineStep, null, false, Time(Methods.MethodRegistry.Get("baseline"), Protocol.Streams, Implementation.Fast, BaselineStep),
                batchSize, FlopCount.BaselineStep(10) * batchSize) { Precision = Precision.Bf16 });
            using (var d = new Discriminator(10, 0.3, Implementation.Fast))
            {
                d.to(device);
                Evaluator.Evaluate(d, testImages, testLabels, 1000, device);
                double evalMs = Median(Math.Max(2, repeats / 2), () => Evaluator.Evaluate(d, testImages, testLabels, 1000, device));
                Add(new BenchResult(BenchItem.Evaluation, null, false, evalMs, 10000, FlopCount.DiscriminatorForward(10) * 10000) { Precision = Precision.Bf16 });
            }
            foreach (var method in Methods.MethodRegistry.All)
                Add(new BenchResult(BenchItem.MethodStep, method.Name, false,
                    Time(method, Protocol.Streams, Implementation.Fast, (needs, i) => StreamsStep(needs, batchSize, n, i)), batchSize, 0) { Precision = Precision.Bf16 });
            matmulBf16 = MeasureMatmul(device, dtype: ScalarType.BFloat16);
        }
        // The machine's matmul speed, measured before and after the steps; the better of the two is kept,
        // so a noisy moment cannot lower the yardstick (and flatter the ratio).
        var matmul = MatmulSpeed.Better(matmulBefore, MeasureMatmul(device));
        using var self = Process.GetCurrentProcess();
        return new BenchReport(results, matmul, self.PeakWorkingSet64, get_num_threads(), device.type.ToString(), batchSize) { MatmulBf16 = matmulBf16 };
    }

    /// <summary>
    /// Step <paramref name="i"/> of a method's streams-protocol bench batches, shaped as a run's (<see cref="BatchSchedule"/>)
    /// by what the method reads: μ·B unlabeled images (μ = <see cref="DataNeeds.UnlabeledRatio"/>; none at μ = 0) and a separate
    /// labeled batch of B, taken in turn from a pool of <paramref name="pool"/> images. The views it declares are made from
    /// these by <see cref="Batch"/>, as in a run.
    /// </summary>
    public static Step StreamsStep(DataNeeds needs, int batchSize, int pool, int i)
    {
        long[] Take(long start, int count) => Enumerable.Range(0, count).Select(k => (start + k) % pool).ToArray();
        int unlabeled = needs.UnlabeledRatio * batchSize;
        return new Step(Take((long)i * unlabeled, unlabeled), Take((long)i * batchSize, batchSize), null);
    }

    /// <summary>Square matrix multiply (size x size by size x size) in <paramref name="dtype"/> (float32 by default), median of repeats, both ways (see <see cref="MatmulSpeed"/>).</summary>
    public static MatmulSpeed MeasureMatmul(Device device, int size = 1024, int repeats = 7, ScalarType dtype = ScalarType.Float32)
    {
        double flops = 2.0 * size * size * size;
        double Gflops(Func<Tensor> product)
        {
            using (var warm = product()) { }
            double ms = Median(repeats, () => { using var c = product(); if (device.type == DeviceType.CUDA) cuda.synchronize(); });
            return flops / (ms / 1000) / 1e9;
        }
        using var a = randn(size, size, device: device).to_type(dtype);
        using var b = randn(size, size, device: device).to_type(dtype);
        double mm = Gflops(() => a.mm(b));
        using var image = ConvolutionOperand(a);
        using var kernel = b.t().contiguous().reshape(size, size, 1, 1); // dense: oneDNN would otherwise reorder it every call
        double conv = Gflops(() => nn.functional.conv2d(image, kernel));
        return new MatmulSpeed(mm, conv);
    }

    /// <summary>
    /// a [M,K] as a channels-last [1,K,h,w] image (M = h*w pixels, K channels): a 1x1 convolution of it with
    /// kernel b^T as [N,K,1,1] computes a·b, one GEMM of the same size as torch.mm's.
    /// </summary>
    public static Tensor ConvolutionOperand(Tensor a)
    {
        long m = a.shape[0], k = a.shape[1];
        long side = (long)Math.Round(Math.Sqrt(m));
        if (side * side != m) throw new ArgumentException($"rows ({m}) must be a square number");
        return a.reshape(1, side, side, k).permute(0, 3, 1, 2);
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
