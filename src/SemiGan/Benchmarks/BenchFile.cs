using System.Text.Json;
using System.Text.Json.Nodes;
using SemiGan.Training;

namespace SemiGan.Benchmarks;

/// <summary>
/// The items of a `semigan bench --json` file, each with what it times: its Item, Method and Implementation fields, or
/// in files written before those were recorded (a Name only) what its name says (<see cref="BenchResult.ParseName"/>).
/// Readers select items by these values. A field of the wrong JSON type throws <see cref="InvalidOperationException"/>.
/// </summary>
public static class BenchFile
{
    /// <summary>The file's text: the report, each item with its name and what it times, and the implementation runs would use (<paramref name="choice"/>).</summary>
    public static string Json(BenchReport report, FastPathChoice choice) => JsonSerializer.Serialize(new
    {
        implementationRunsWouldUse = choice.Implementation.ToString().ToLowerInvariant(),
        fastPathLargestDifference = choice.Verdict?.Worst?.Difference, fastPathLargestDifferenceOf = choice.Verdict?.Worst?.Quantity,
        report.Device, report.Threads, report.BatchSize, report.MatmulGflops, matmulBf16Gflops = report.MatmulBf16?.Gflops,
        matmulTorchMmGflops = report.Matmul.TorchMmGflops, matmulConvolutionGflops = report.Matmul.ConvolutionGflops, report.PeakResidentBytes,
        results = report.Results.Select(x => new
        {
            x.Name, Item = x.Item.ToString(), x.Method, Implementation = x.Reference ? "reference" : "fast", Precision = x.Precision.ToString().ToLowerInvariant(),
            x.MedianMs, x.ImagesPerSecond, x.FlopsPerCall, x.GflopsPerSecond, shareOfMatmul = x.GflopsPerSecond / report.MatmulGflops,
        }),
    }, new JsonSerializerOptions { WriteIndented = true });

    /// <summary>One item of the file: what it times, and its JSON object for the figures.</summary>
    public sealed record Entry(BenchItem Item, string? Method, bool Reference, JsonNode Figures)
    {
        public double? MedianMs => Figures["MedianMs"]?.GetValue<double>();
        public double? ImagesPerSecond => Figures["ImagesPerSecond"]?.GetValue<double>();
    }

    /// <summary>The float32 items whose kind is known; an item of a kind this version does not know is left out, and so are bf16 items.</summary>
    public static IEnumerable<Entry> Entries(JsonArray results)
    {
        foreach (var x in results)
        {
            if (x is null) continue;
            (BenchItem, string?, bool)? what = x["Item"] is { } item
                ? Enum.TryParse<BenchItem>((string?)item, out var kind) && Enum.IsDefined(kind) ? (kind, (string?)x["Method"], (string?)x["Implementation"] == "reference") : null
                : (string?)x["Name"] is { } name ? BenchResult.ParseName(name) : null;
            // Only float32 items: estimates are for float32 runs (a bf16 item has "Precision": "bf16"; files before it had none).
            if (what is var (k, method, reference) && (string?)x["Precision"] is null or "fp32") yield return new Entry(k, method, reference, x);
        }
    }

    /// <summary>A method's step (fast implementation), or null when the file has none.</summary>
    public static Entry? MethodStep(JsonArray results, string method) =>
        Entries(results).FirstOrDefault(e => e.Item == BenchItem.MethodStep && e.Method == method && !e.Reference);
}
