using SemiGan.Models;
using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;
using SemiGan.Training;

namespace SemiGan.Results;

/// <summary>
/// The tidy per-epoch CSV (one row per method x seed x epoch). Fixed columns, then one `&lt;name&gt;_loss`
/// column for every loss any method in the file reports, so a new method's losses need no change here.
/// The first column is the run's id, the last the time the row was written (UTC). Files from before the
/// `run_id`, `dataset`, `method` (was `model`), validation and `finished_utc` columns are read as well,
/// and rewritten with the current header before a row is appended to them.
/// The live weights' accuracies of a method with averaged weights (`live_validation_accuracy`, `live_test_accuracy`,
/// after `test_loss`) are columns only of a file that holds such a value: a file without them keeps its header, and
/// appending the first such row rewrites it with the wider header (every earlier row kept, its live cells empty).
/// </summary>
public static class EpochCsv
{
    static readonly string[] Before =
        ["experiment", "dataset", "method", "protocol", "head", "labels", "seed", "epoch", "iterations", "images_seen",
         "labeled_images_seen", "validation_accuracy", "validation_loss", "test_accuracy", "test_loss"];
    const string After = "epoch_seconds", RunId = "run_id", Finished = "finished_utc", LossSuffix = "_loss";
    static readonly string[] Live = ["live_validation_accuracy", "live_test_accuracy"];
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Appends rows (header first if the file is new) and flushes, so finished epochs survive a crash.</summary>
    public static void Append(string path, IReadOnlyList<EpochRecord> rows)
    {
        var existing = File.Exists(path) && new FileInfo(path).Length > 0 ? ReadHeader(path) : null;
        var losses = existing is null ? null : LossColumns(existing);
        if (existing is not null && (rows.SelectMany(r => r.Losses.Names).Any(n => !losses!.Contains(n)) || existing[0] != RunId || existing[^1] != Finished
                                     || HasLive(rows) && !existing.Contains(Live[0])))
        {
            // A loss or live accuracy the header lacks, or an older header: rewrite the file with the current, wider header (atomic), then it holds these rows too.
            Rewrite(path, Read(path).Concat(rows).ToList());
            return;
        }
        bool header = losses is null;
        bool live = existing?.Contains(Live[0]) ?? HasLive(rows);
        losses ??= Union(rows);
        using var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        using var writer = new StreamWriter(stream);
        Write(writer, rows, losses, live, header);
    }

    static bool HasLive(IEnumerable<EpochRecord> rows) => rows.Any(r => r.LiveValidationAccuracy is not null || r.LiveTestAccuracy is not null);

    /// <summary>Replaces the file's rows atomically.</summary>
    public static void Rewrite(string path, IReadOnlyList<EpochRecord> rows)
    {
        string tmp = path + ".tmp";
        using (var writer = new StreamWriter(tmp)) Write(writer, rows, Union(rows), HasLive(rows), header: true);
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>Every complete row (a torn last line from a crash is ignored).</summary>
    public static List<EpochRecord> Read(string path)
    {
        string text = File.ReadAllText(path);
        int end = text.LastIndexOf('\n');
        using var reader = new StringReader(end < 0 ? "" : text[..(end + 1)]);
        using var csv = new CsvReader(reader, new CsvConfiguration(Inv));
        var rows = new List<EpochRecord>();
        try
        {
            if (!csv.Read()) return rows;
            csv.ReadHeader();
            var header = csv.HeaderRecord!;
            var losses = LossColumns(header);
            bool Has(string c) => header.Contains(c);
            string method = Has("method") ? "method" : "model";
            double? Optional(string c) => Has(c) && csv.GetField(c) is { Length: > 0 } v ? double.Parse(v, Inv) : null;
            while (csv.Read())
                rows.Add(new EpochRecord
                {
                    Experiment = csv.GetField("experiment")!,
                    Run = RunSpec.Of(csv.GetField<int>("labels"), csv.GetField("protocol")!, csv.GetField("head")!, csv.GetField<int>("seed"),
                        csv.GetField(method)!, Has("dataset") ? csv.GetField("dataset")! : RunSpec.LegacyDataset),
                    Epoch = csv.GetField<int>("epoch"),
                    Iterations = csv.GetField<long>("iterations"),
                    ImagesSeen = csv.GetField<long>("images_seen"),
                    LabeledImagesSeen = csv.GetField<long>("labeled_images_seen"),
                    ValidationAccuracy = Optional("validation_accuracy"),
                    ValidationLoss = Optional("validation_loss"),
                    TestAccuracy = Optional("test_accuracy"),
                    TestLoss = Optional("test_loss"),
                    LiveValidationAccuracy = Optional(Live[0]),
                    LiveTestAccuracy = Optional(Live[1]),
                    // Empty cells (another method's loss, or one that had no step) read as absent: the same value.
                    Losses = new LossValues(losses.Select(n => (n, Optional(n + LossSuffix))).Where(l => l.Item2 is not null)),
                    EpochSeconds = csv.GetField<double>(After),
                    FinishedUtc = Has(Finished) && csv.GetField(Finished) is { Length: > 0 } f ? DateTimeOffset.Parse(f, Inv, DateTimeStyles.AssumeUniversal) : null,
                });
        }
        catch (Exception e) when (e is FormatException or OverflowException or ArgumentException or CsvHelper.CsvHelperException) // ArgumentException: an unknown protocol or head
        {
            throw CsvFiles.Unreadable(path, csv.Parser.RawRow, e);
        }
        return rows;
    }

    static void Write(TextWriter writer, IReadOnlyList<EpochRecord> rows, IReadOnlyList<string> losses, bool live, bool header)
    {
        using var csv = new CsvWriter(writer, new CsvConfiguration(Inv));
        if (header)
        {
            foreach (var c in Before.Prepend(RunId).Concat(live ? Live : []).Concat(losses.Select(n => n + LossSuffix)).Append(After).Append(Finished)) csv.WriteField(c);
            csv.NextRecord();
        }
        foreach (var r in rows)
        {
            csv.WriteField(r.Run.Id);
            csv.WriteField(r.Experiment); csv.WriteField(r.Run.Dataset); csv.WriteField(r.Run.Method); csv.WriteField(r.Run.Protocol.Name());
            csv.WriteField(r.Run.Head.Name()); csv.WriteField(r.Run.Labels); csv.WriteField(r.Run.Seed); csv.WriteField(r.Epoch);
            csv.WriteField(r.Iterations); csv.WriteField(r.ImagesSeen); csv.WriteField(r.LabeledImagesSeen);
            csv.WriteField(r.ValidationAccuracy); csv.WriteField(r.ValidationLoss);
            csv.WriteField(r.TestAccuracy); csv.WriteField(r.TestLoss);
            if (live) { csv.WriteField(r.LiveValidationAccuracy); csv.WriteField(r.LiveTestAccuracy); }
            foreach (var n in losses) csv.WriteField(r.Losses[n]);
            csv.WriteField(r.EpochSeconds);
            csv.WriteField(r.FinishedUtc?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", Inv));
            csv.NextRecord();
        }
        csv.Flush();
    }

    static string[] ReadHeader(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, new CsvConfiguration(Inv));
        csv.Read();
        csv.ReadHeader();
        return csv.HeaderRecord!;
    }

    /// <summary>The loss names of a header: every `&lt;name&gt;_loss` column but the evaluation ones.</summary>
    static List<string> LossColumns(IEnumerable<string> header) =>
        header.Where(c => c.EndsWith(LossSuffix, StringComparison.Ordinal) && !Before.Contains(c))
            .Select(c => c[..^LossSuffix.Length]).ToList();

    static List<string> Union(IEnumerable<EpochRecord> rows) => rows.SelectMany(r => r.Losses.Names).Distinct().ToList();
}
