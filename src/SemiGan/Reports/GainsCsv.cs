using System.Globalization;
using CsvHelper;

namespace SemiGan.Reports;

/// <summary>
/// gains.csv, written by `semigan report` next to report.md: one line per gain the report tests (its gain tables'
/// rows, in the same order), in final accuracy at the experiment's selection rule. Gains and CI bounds in percentage
/// points, p's as numbers, empty where the report shows – (fewer than two pairs). holm_p and m are the final test's Holm
/// family's, named in <c>family</c>: "primary" or "secondary" when some experiment declares primary comparisons, else "all".
/// </summary>
public static class GainsCsv
{
    public const string FileName = "gains.csv";
    public static readonly string[] Header =
        ["experiment", "comparison", "method", "reference", "labels", "protocol", "head", "rule", "mean_pp", "ci_low_pp", "ci_high_pp", "p", "holm_p", "m", "n", "family"];

    public static void Write(string path, IReadOnlyList<GainRow> rows) =>
        TextTable.Write(path, Header, rows.Select(r =>
        {
            var g = r.Gain;
            return new[]
            {
                g.Experiment, $"{g.Method} − {g.Reference}", g.Method, g.Reference, g.Labels.ToString(CultureInfo.InvariantCulture), g.Protocol, g.Head, r.Select,
                Num(g.Final.MeanDifference * 100), Num(g.Final.CiLow * 100), Num(g.Final.CiHigh * 100), Num(g.Final.P), Num(r.HolmFinal),
                r.Tests.ToString(CultureInfo.InvariantCulture), g.Final.N.ToString(CultureInfo.InvariantCulture), r.Family,
            };
        }));

    static string Num(double v) => double.IsNaN(v) ? "" : v.ToString("R", CultureInfo.InvariantCulture);
}

/// <summary>A small CSV of named string columns (gains.csv, results/index.csv), written and read with CsvHelper.</summary>
public static class TextTable
{
    public static void Write(string path, IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> rows)
    {
        using var writer = new StreamWriter(path);
        using var csv = new CsvWriter(writer, CultureInfo.InvariantCulture);
        foreach (var h in header) csv.WriteField(h);
        csv.NextRecord();
        foreach (var row in rows)
        {
            foreach (var v in row) csv.WriteField(v);
            csv.NextRecord();
        }
    }

    /// <summary>Every row as column name → value.</summary>
    public static List<Dictionary<string, string>> Read(string path)
    {
        using var reader = new StreamReader(path);
        using var csv = new CsvReader(reader, CultureInfo.InvariantCulture);
        csv.Read();
        csv.ReadHeader();
        var names = csv.HeaderRecord!;
        var rows = new List<Dictionary<string, string>>();
        while (csv.Read()) rows.Add(names.ToDictionary(n => n, n => csv.GetField(n) ?? ""));
        return rows;
    }
}
