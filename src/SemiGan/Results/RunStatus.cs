using SemiGan.Training;
using CsvHelper.Configuration;

namespace SemiGan.Results;

/// <summary>How a run ended: "finished", or "diverged" (a NaN/infinite loss; <see cref="Detail"/> names the loss).</summary>
public sealed record RunStatus
{
    public required string RunId { get; init; }
    public string Dataset { get; init; } = Training.RunSpec.LegacyDataset;
    public required string Method { get; init; }
    public required string Protocol { get; init; }
    public required string Head { get; init; }
    public required int Labels { get; init; }
    public required int Seed { get; init; }
    public required string Status { get; init; }
    /// <summary>The last epoch written (for a diverged run: the epoch whose loss was not finite).</summary>
    public required int Epoch { get; init; }
    public string Detail { get; init; } = "";

    public const string Finished = "finished", Diverged = "diverged";

    /// <summary>The run this row is about.</summary>
    public Training.RunSpec Run => Training.RunSpec.Of(Labels, Protocol, Head, Seed, Method, Dataset);
}

/// <summary>runs.csv: one row per ended run. A run without a row is unfinished (and resumable).</summary>
public static class RunStatusCsv
{
    sealed class Map : ClassMap<RunStatus>
    {
        public Map()
        {
            Map(r => r.RunId).Name("run_id");
            Map(r => r.Dataset).Name("dataset").Optional().Default(Training.RunSpec.LegacyDataset); // absent in files written before it
            Map(r => r.Method).Name("method", "model"); // "model" in files written before the rename
            Map(r => r.Protocol).Name("protocol");
            Map(r => r.Head).Name("head");
            Map(r => r.Labels).Name("labels");
            Map(r => r.Seed).Name("seed");
            Map(r => r.Status).Name("status");
            Map(r => r.Epoch).Name("epoch");
            Map(r => r.Detail).Name("detail");
        }
    }

    public static void Append(string path, RunStatus status) => CsvFiles.Append(path, [status], new Map());

    public static List<RunStatus> Read(string path) => File.Exists(path) ? CsvFiles.Read<RunStatus>(path, new Map()) : [];

    public static void Rewrite(string path, IEnumerable<RunStatus> rows) => CsvFiles.Rewrite(path, rows, new Map());
}
