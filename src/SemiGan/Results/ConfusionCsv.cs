using System.Globalization;

namespace SemiGan.Results;

/// <summary>A 10x10 confusion matrix as CSV: header "true,pred_0..pred_9", one row per true class.</summary>
public static class ConfusionCsv
{
    public static void Write(string path, long[,] m)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var lines = new List<string> { "true," + string.Join(",", Enumerable.Range(0, m.GetLength(1)).Select(j => $"pred_{j}")) };
        for (int i = 0; i < m.GetLength(0); i++)
            lines.Add(i.ToString(CultureInfo.InvariantCulture) + "," +
                      string.Join(",", Enumerable.Range(0, m.GetLength(1)).Select(j => m[i, j].ToString(CultureInfo.InvariantCulture))));
        File.WriteAllLines(path, lines);
    }

    public static long[,] Read(string path)
    {
        var rows = File.ReadAllLines(path).Skip(1).Where(l => l.Length > 0)
            .Select(l => l.Split(',').Skip(1).Select(v => long.Parse(v, CultureInfo.InvariantCulture)).ToArray()).ToArray();
        var m = new long[rows.Length, rows[0].Length];
        for (int i = 0; i < rows.Length; i++)
            for (int j = 0; j < rows[i].Length; j++) m[i, j] = rows[i][j];
        return m;
    }
}
