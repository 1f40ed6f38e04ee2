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
        Assert.All(report.Results, r => Assert.True(r.MedianMs > 0 && (r.FlopsPerCall > 0 || r.Item == BenchItem.MethodStep), r.Name));
        Assert.Equal(Methods.MethodRegistry.All.Select(m => m.Name), report.Results.Where(r => r.Item == BenchItem.MethodStep).Select(r => r.Method));
        Assert.Equal(2, report.Results.Count(r => r.Reference));
        Assert.True(report.Matmul.TorchMmGflops > 0 && report.Matmul.ConvolutionGflops > 0);
        Assert.Equal(Math.Max(report.Matmul.TorchMmGflops, report.Matmul.ConvolutionGflops), report.MatmulGflops);
        // The fast SGAN step skips D's weight gradients in the generator update: one D forward fewer in the count.
        var fast = report.Results.Single(r => r.Name == "SGAN step");
        var reference = report.Results.Single(r => r.Name == "SGAN step (reference)");
        Assert.Equal(reference.FlopsPerCall - FlopCount.DiscriminatorForward(10) * 20, fast.FlopsPerCall);
    }

    [Fact]
    public void Bench_at_bf16_times_the_fast_items_again_and_the_bf16_roof_and_its_file_keeps_them_out_of_estimates()
    {
        var report = Benchmark.Run(CPU, batchSize: 20, steps: 1, repeats: 1, warmup: 1, bf16: true);
        var bf16 = report.Results.Where(r => r.Precision == Models.Precision.Bf16).ToList();
        Assert.Equal(
            ((string[])["SGAN step bf16", "baseline step bf16", "evaluation (10,000 images) bf16"])
                .Concat(Methods.MethodRegistry.All.Select(m => $"{m.Name} method step (streams) bf16")),
            bf16.Select(r => r.Name));
        Assert.DoesNotContain(bf16, r => r.Reference);
        Assert.True(report.MatmulBf16 is { TorchMmGflops: > 0, ConvolutionGflops: > 0 });
        var file = System.Text.Json.Nodes.JsonNode.Parse(BenchFile.Json(report, new Training.FastPathChoice(Models.Implementation.Fast, null)))!;
        var results = (System.Text.Json.Nodes.JsonArray)file["results"]!;
        Assert.Equal("bf16", (string?)results.Last()!["Precision"]);
        Assert.True((double?)file["matmulBf16Gflops"] > 0);
        // Estimates read float32 items only: one sgan method step, the float32 one.
        Assert.Equal(report.Results.Count - bf16.Count, BenchFile.Entries(results).Count());
        Assert.Equal(report.Results.Single(r => r.Method == "sgan" && r.Precision == Models.Precision.Fp32).MedianMs, BenchFile.MethodStep(results, "sgan")!.MedianMs);
    }

    static readonly BenchReport Made = new( // figures made up: only how the file names its items is tested
    [
        new(BenchItem.SganStep, null, true, 120, 100, 9), new(BenchItem.SganStep, null, false, 60, 100, 8),
        new(BenchItem.Evaluation, null, false, 50, 10000, 7),
        new(BenchItem.MethodStep, "sgan", false, 61, 100, 0), new(BenchItem.MethodStep, "fixmatch", false, 240, 100, 0),
    ], new MatmulSpeed(100, 120), 1, 2, "CPU", 100);

    [Fact]
    public void The_bench_file_says_what_each_item_times_by_value_and_older_files_are_read_by_name()
    {
        var choice = new Training.FastPathChoice(Models.Implementation.Fast, null);
        var items = Made.Results.Select(r => (r.Item, r.Method, r.Reference)).ToList();
        var file = System.Text.Json.Nodes.JsonNode.Parse(BenchFile.Json(Made, choice))!;
        var results = (System.Text.Json.Nodes.JsonArray)file["results"]!;
        Assert.Equal(items, BenchFile.Entries(results).Select(e => (e.Item, e.Method, e.Reference)));
        Assert.Equal(Made.Results.Select(r => r.MedianMs), BenchFile.Entries(results).Select(e => e.MedianMs!.Value));
        Assert.Equal("MethodStep", (string?)results[4]!["Item"]);
        Assert.Equal("fixmatch", (string?)results[4]!["Method"]);
        Assert.Equal("reference", (string?)results[0]!["Implementation"]);

        // Selected by value: a name that no longer says what the item is changes nothing.
        foreach (var x in results) x!["Name"] = "renamed";
        Assert.Equal(items, BenchFile.Entries(results).Select(e => (e.Item, e.Method, e.Reference)));
        Assert.Equal(240, BenchFile.MethodStep(results, "fixmatch")!.MedianMs);

        // A file written before the items were recorded by value has a Name only: read from the name.
        var older = (System.Text.Json.Nodes.JsonArray)System.Text.Json.Nodes.JsonNode.Parse(BenchFile.Json(Made, choice))!["results"]!;
        foreach (var x in older.Cast<System.Text.Json.Nodes.JsonObject>())
            foreach (string field in new[] { "Item", "Method", "Implementation" }) Assert.True(x.Remove(field));
        Assert.Equal(items, BenchFile.Entries(older).Select(e => (e.Item, e.Method, e.Reference)));
        Assert.Equal(240, BenchFile.MethodStep(older, "fixmatch")!.MedianMs);

        // The dry run's and --jobs' reading: each method's step, from either kind of file.
        string dir = Synthetic.TempDir(), current = Path.Combine(dir, "bench-new.json"), old = Path.Combine(dir, "bench-old.json");
        File.WriteAllText(current, BenchFile.Json(Made, choice));
        File.WriteAllText(old, new System.Text.Json.Nodes.JsonObject { ["BatchSize"] = 100, ["results"] = older.DeepClone() }.ToJsonString());
        var expected = new Dictionary<string, double> { ["sgan"] = 61, ["fixmatch"] = 240 };
        Assert.Equal(expected, Cli.Commands.DryRun.BenchStepMilliseconds(current, out _));
        Assert.Equal(expected, Cli.Commands.DryRun.BenchStepMilliseconds(old, out _));
    }

    [Fact]
    public void A_method_step_holds_mu_times_the_batch_of_unlabeled_images_and_a_labeled_batch()
    {
        const int b = 4, pool = 40;
        using var images = arange(pool).to(ScalarType.Float32).reshape(pool, 1, 1, 1);
        using var labels = arange(pool) % 10;
        Training.Batch BatchOf(Training.DataNeeds needs, int i) =>
            new(Benchmark.StreamsStep(needs, b, pool, i), 1, i, 10, 1, images, labels, CPU, needs);

        var mu3 = new Training.DataNeeds { UnlabeledRatio = 3 };
        var batch = BatchOf(mu3, 1);
        Assert.Equal([3 * b, 1, 1, 1], batch.Unlabeled.shape);
        Assert.Equal([b, 1, 1, 1], batch.LabeledImages.shape);
        // Consecutive steps take the next images of the pool, wrapping round it.
        Assert.Equal(Enumerable.Range(12, 12).Select(i => (float)i), batch.Unlabeled.flatten().data<float>().ToArray());
        Assert.Equal(Enumerable.Range(36, 12).Select(i => (float)(i % pool)), BatchOf(mu3, 3).Unlabeled.flatten().data<float>().ToArray());
        // μ = 1 is the batch the baseline step always had; μ = 0 reads no unlabeled image.
        var one = Benchmark.StreamsStep(Training.DataNeeds.Protocol, b, pool, 1);
        Assert.Equal([4L, 5, 6, 7], one.Real);
        Assert.Equal([4L, 5, 6, 7], one.Labeled);
        Assert.Null(one.LabeledPositions);
        Assert.Empty(Benchmark.StreamsStep(new Training.DataNeeds { UnlabeledRatio = 0 }, b, pool, 1).Real);
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
