using CsvHelper.Configuration;

namespace SemiGan.Results;

/// <summary>One row of eval.csv: a saved model evaluated again on the test set, beside what epochs.csv recorded for it.</summary>
public sealed record EvalRecord
{
    public required string RunId { get; init; }
    public required string Method { get; init; }
    public required int Seed { get; init; }
    public required int Labels { get; init; }
    /// <summary>How the run ended: "finished" or "diverged".</summary>
    public required string Status { get; init; }
    /// <summary>Which saved model: <see cref="Last"/> (after the run's last epoch) or <see cref="Selected"/> (after its selected epoch, under best-validation).</summary>
    public string Model { get; init; } = Last;
    public const string Last = "last", Selected = "selected";
    /// <summary>The epoch after which the model was saved.</summary>
    public required int Epoch { get; init; }
    public required double TestAccuracy { get; init; }
    public required double TestLoss { get; init; }
    /// <summary>epochs.csv's test accuracy of that epoch; null when the CSV has no such row.</summary>
    public double? CsvTestAccuracy { get; init; }
}

/// <summary>eval.csv, written by `semigan eval` (replaced as a whole, atomically).</summary>
public static class EvalCsv
{
    sealed class Map : ClassMap<EvalRecord>
    {
        public Map()
        {
            Map(r => r.RunId).Name("run_id");
            Map(r => r.Method).Name("method");
            Map(r => r.Seed).Name("seed");
            Map(r => r.Labels).Name("labels");
            Map(r => r.Status).Name("status");
            Map(r => r.Model).Name("model");
            Map(r => r.Epoch).Name("epoch");
            Map(r => r.TestAccuracy).Name("test_accuracy");
            Map(r => r.TestLoss).Name("test_loss");
            Map(r => r.CsvTestAccuracy).Name("csv_test_accuracy");
        }
    }

    public static void Rewrite(string path, IEnumerable<EvalRecord> rows) => CsvFiles.Rewrite(path, rows, new Map());

    public static List<EvalRecord> Read(string path) => CsvFiles.Read<EvalRecord>(path, new Map());
}
