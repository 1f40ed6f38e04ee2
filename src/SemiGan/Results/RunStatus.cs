using SemiGan.Models;
using SemiGan.Training;
using CsvHelper.Configuration;

namespace SemiGan.Results;

/// <summary>How a run ended: "finished", or "diverged" (a NaN/infinite loss; <see cref="Detail"/> names the loss).</summary>
public sealed record RunStatus
{
    public required RunSpec Run { get; init; }
    /// <summary>The run's id as runs.csv holds it: <see cref="RunSpec.Id"/>, or in files written before the dataset was part of it <see cref="RunSpec.LegacyId"/>.</summary>
    public required string RunId { get; init; }
    public required string Status { get; init; }
    /// <summary>The last epoch written (for a diverged run: the epoch whose loss was not finite).</summary>
    public required int Epoch { get; init; }
    public string Detail { get; init; } = "";

    public const string Finished = "finished", Diverged = "diverged";
}

/// <summary>runs.csv: one row per ended run. A run without a row is unfinished (and resumable).</summary>
public static class RunStatusCsv
{
    /// <summary>A row as the file holds it; parsed into a <see cref="RunStatus"/> on reading, formatted from one on writing.</summary>
    sealed class Row
    {
        public string RunId { get; set; } = "";
        public string Dataset { get; set; } = RunSpec.LegacyDataset;
        public string Method { get; set; } = "";
        public string Protocol { get; set; } = "";
        public string Head { get; set; } = "";
        public int Labels { get; set; }
        public int Seed { get; set; }
        public string Status { get; set; } = "";
        public int Epoch { get; set; }
        public string Detail { get; set; } = "";
    }

    sealed class Map : ClassMap<Row>
    {
        public Map()
        {
            Map(r => r.RunId).Name("run_id");
            Map(r => r.Dataset).Name("dataset").Optional().Default(RunSpec.LegacyDataset); // absent in files written before it
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

    static Row Format(RunStatus s) => new()
    {
        RunId = s.RunId, Dataset = s.Run.Dataset, Method = s.Run.Method, Protocol = s.Run.Protocol.Name(), Head = s.Run.Head.Name(),
        Labels = s.Run.Labels, Seed = s.Run.Seed, Status = s.Status, Epoch = s.Epoch, Detail = s.Detail,
    };

    static RunStatus Parse(string path, Row r, int line)
    {
        try
        {
            return new RunStatus
            {
                Run = RunSpec.Of(r.Labels, r.Protocol, r.Head, r.Seed, r.Method, r.Dataset), RunId = r.RunId,
                Status = r.Status, Epoch = r.Epoch, Detail = r.Detail,
            };
        }
        catch (ArgumentException e) { throw CsvFiles.Unreadable(path, line, e); } // an unknown protocol or head
    }

    public static void Append(string path, RunStatus status) => CsvFiles.Append(path, [Format(status)], new Map());

    public static List<RunStatus> Read(string path) =>
        File.Exists(path) ? CsvFiles.Read<Row>(path, new Map()).Select((r, i) => Parse(path, r, i + 2)).ToList() : [];

    public static void Rewrite(string path, IEnumerable<RunStatus> rows) => CsvFiles.Rewrite(path, rows.Select(Format), new Map());
}
