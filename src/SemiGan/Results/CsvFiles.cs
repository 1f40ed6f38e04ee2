using System.Globalization;
using CsvHelper;
using CsvHelper.Configuration;

namespace SemiGan.Results;

/// <summary>
/// CSV plumbing shared by the results files: append with flush (a finished row survives a crash),
/// read ignoring a torn last line (a crash mid-write), and atomic rewrite (temp file, then rename).
/// </summary>
public static class CsvFiles
{
    static CsvConfiguration Config(bool header) => new(CultureInfo.InvariantCulture) { HasHeaderRecord = header };

    public static void Append<T>(string path, IEnumerable<T> rows, ClassMap<T> map)
    {
        if (File.Exists(path)) DropTornLine(path);
        bool header = !File.Exists(path) || new FileInfo(path).Length == 0;
        using (var stream = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read))
        using (var writer = new StreamWriter(stream))
            Write(writer, rows, map, header);
    }

    /// <summary>
    /// Cuts a last line without its newline (an interrupted write, which <see cref="Read"/> ignores) so an append
    /// starts on a line of its own; a file whose header itself is torn becomes empty and gets its header again.
    /// </summary>
    static void DropTornLine(string path)
    {
        using var f = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
        if (f.Length == 0) return;
        f.Seek(-1, SeekOrigin.End);
        if (f.ReadByte() == '\n') return;
        var buffer = new byte[4096];
        for (long end = f.Length - 1; end > 0;)
        {
            int n = (int)Math.Min(buffer.Length, end);
            f.Seek(end - n, SeekOrigin.Begin);
            f.ReadExactly(buffer, 0, n);
            int i = Array.LastIndexOf(buffer, (byte)'\n', n - 1);
            if (i >= 0) { f.SetLength(end - n + i + 1); return; }
            end -= n;
        }
        f.SetLength(0);
    }

    public static void Rewrite<T>(string path, IEnumerable<T> rows, ClassMap<T> map)
    {
        string tmp = path + ".tmp";
        using (var writer = new StreamWriter(tmp)) Write(writer, rows, map, header: true);
        File.Move(tmp, path, overwrite: true);
    }

    static void Write<T>(TextWriter writer, IEnumerable<T> rows, ClassMap<T> map, bool header)
    {
        using var csv = new CsvWriter(writer, Config(header));
        csv.Context.RegisterClassMap(map);
        if (header) { csv.WriteHeader<T>(); csv.NextRecord(); }
        csv.WriteRecords(rows);
    }

    /// <summary>Reads every complete row. A last line without its newline is the remains of an interrupted write and is ignored.</summary>
    public static List<T> Read<T>(string path, ClassMap<T> map)
    {
        string text = File.ReadAllText(path);
        int end = text.LastIndexOf('\n');
        text = end < 0 ? "" : text[..(end + 1)];
        using var reader = new StringReader(text);
        using var csv = new CsvReader(reader, Config(true));
        csv.Context.RegisterClassMap(map);
        try { return csv.GetRecords<T>().ToList(); }
        catch (CsvHelperException e) { throw Unreadable(path, csv.Parser.RawRow, e); }
    }

    /// <summary>One line naming a damaged CSV file and its line; CsvHelper's own message runs over many lines of reader state, its first sentence naming the field.</summary>
    public static Data.DataException Unreadable(string path, long line, Exception e)
    {
        string what = e.Message.Split('\n')[0].Split(" You can ignore", 2)[0].Trim().TrimEnd('.');
        return new Data.DataException($"{path}: unreadable at line {line} ({what}); restore it from a copy, or move it away.");
    }
}
