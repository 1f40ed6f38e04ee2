using System.Globalization;

namespace SemiGan.Results;

/// <summary>
/// A run's diagnostics file (<see cref="Training.StepDiagnostics"/>): a header of the first row's columns, then one
/// line per logged step, every value in invariant round-trip form (NaN where a value does not apply). Beside the
/// results, never read by them.
/// </summary>
public sealed class DiagnosticsCsv
{
    readonly string path;
    string[]? columns;

    /// <summary>
    /// The file of a run that starts after epoch <paramref name="keepUpToEpoch"/> (0: from scratch): rows of later epochs,
    /// which the resumed run logs again, are dropped; a run from scratch starts an empty file.
    /// </summary>
    public DiagnosticsCsv(string path, int keepUpToEpoch)
    {
        this.path = path;
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var kept = keepUpToEpoch > 0 && File.Exists(path) ? Kept(File.ReadAllLines(path), keepUpToEpoch) : [];
        if (kept.Count > 0) columns = kept[0].Split(',');
        File.WriteAllLines(path, kept);
    }

    static List<string> Kept(string[] lines, int upTo)
    {
        if (lines.Length == 0) return [];
        int epoch = Array.IndexOf(lines[0].Split(','), "epoch");
        return [lines[0], .. lines.Skip(1).Where(l => l.Split(',') is var f && f.Length > epoch
            && double.TryParse(f[epoch], NumberStyles.Float, CultureInfo.InvariantCulture, out double e) && e <= upTo)];
    }

    /// <summary>Appends a row; its columns must be the file's.</summary>
    public void Append(IReadOnlyList<(string Column, double Value)> row)
    {
        var names = row.Select(r => r.Column).ToArray();
        var lines = new List<string>();
        if (columns is null) { columns = names; lines.Add(string.Join(',', names)); }
        else if (!columns.SequenceEqual(names))
            throw new InvalidOperationException($"{path}: a diagnostics row's columns differ from the file's header");
        lines.Add(string.Join(',', row.Select(r => r.Value.ToString("R", CultureInfo.InvariantCulture))));
        File.AppendAllLines(path, lines);
    }
}
