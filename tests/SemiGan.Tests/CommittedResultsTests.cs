using System.Globalization;
using SemiGan.Reports;

namespace SemiGan.Tests;

/// <summary>The committed reference report must be exactly what `semigan report` makes of the committed CSVs.</summary>
public class CommittedResultsTests
{
    static string Reference => Path.Combine(RepoRoot.Path, "results", "reference");

    [Fact]
    public void Reference_report_regenerates_identically_from_the_committed_csvs()
    {
        string committed = File.ReadAllText(Path.Combine(Reference, "report.md"));

        string copy = Synthetic.TempDir();
        foreach (string f in Directory.EnumerateFiles(Reference, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(Reference, f);
            if (rel.StartsWith("report", StringComparison.Ordinal) || rel == GainsCsv.FileName) continue; // the report, its charts and gains.csv are outputs
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, rel))!);
            File.Copy(f, Path.Combine(copy, rel));
        }

        string regenerated = File.ReadAllText(ReportWriter.Write(copy));
        Assert.Equal(committed.ReplaceLineEndings("\n"), regenerated.ReplaceLineEndings("\n"));
        Assert.Contains("## seed-1000", regenerated);
        Assert.Contains("## sweep-labels", regenerated);
        Assert.Equal(File.ReadAllText(Path.Combine(Reference, GainsCsv.FileName)), File.ReadAllText(Path.Combine(copy, GainsCsv.FileName)));

        // results/index.csv is `semigan report results/reference --index results/index.csv`: regenerate it beside the copy.
        string index = Path.Combine(Path.GetDirectoryName(copy)!, Path.GetFileName(copy) + "-index.csv");
        ResultsIndex.Write(copy, index);
        var rows = TextTable.Read(index);
        var committedRows = TextTable.Read(Path.Combine(RepoRoot.Path, "results", "index.csv"));
        Assert.Equal(committedRows.Select(r => r["folder"].Replace("reference/", "")), rows.Select(r => r["folder"].Replace(Path.GetFileName(copy) + "/", "")));
        foreach (var col in ResultsIndex.Header.Skip(1)) Assert.Equal(committedRows.Select(r => r[col]), rows.Select(r => r[col]));
        Assert.Equal(Directory.GetDirectories(Reference).Count(d => File.Exists(Path.Combine(d, "epochs.csv"))), committedRows.Count);
    }

    /// <summary>Every line of gains.csv is a gain-table row of report.md with the same mean, CI, p, Holm p and pairs, and back.</summary>
    [Fact]
    public void Gains_csv_holds_exactly_the_gains_report_md_prints()
    {
        var md = File.ReadAllText(Path.Combine(Reference, "report.md")).ReplaceLineEndings("\n").Split('\n');
        var gains = TextTable.Read(Path.Combine(Reference, GainsCsv.FileName));
        // Each Holm family's m as the definitions state it: one family of all tests, or a primary and a secondary one.
        int? M(string pattern) => md.Select(l => System.Text.RegularExpressions.Regex.Match(l, pattern)).FirstOrDefault(x => x.Success) is { } x
            ? int.Parse(x.Groups[1].Value, CultureInfo.InvariantCulture) : null;
        var m = new Dictionary<string, int?>
        {
            [GainFamily.All] = M(@"all m = (\d+) paired tests"),
            [GainFamily.Primary] = M(@"the \*\*primary family\*\*, m = (\d+) paired test"),
            [GainFamily.Secondary] = M(@"the \*\*secondary family\*\*, m = (\d+) paired test"),
        };

        // The gain-table rows, by section: "| labels | method − reference | protocol | head | pairs | gain | CI | t | p | Holm p | ...".
        var tableRows = new List<(string Experiment, string[] Cells)>();
        string section = "";
        foreach (var line in md)
        {
            if (line.StartsWith("## ", StringComparison.Ordinal)) section = line[3..].Trim();
            var cells = line.Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            // 15 cells, or 16 with the family column of a report with a primary family.
            if (line.StartsWith("| ", StringComparison.Ordinal) && cells.Length is 15 or 16 && cells[1].Contains(" − ") && int.TryParse(cells[0], out _))
                tableRows.Add((section, cells));
        }
        Assert.Equal(tableRows.Count, gains.Count);
        Assert.True(gains.Count > 20);
        for (int i = 0; i < gains.Count; i++)
        {
            var (experiment, c) = tableRows[i];
            var g = gains[i];
            Assert.Equal(experiment, g["experiment"]);
            Assert.Equal(c[1], g["comparison"]);
            Assert.Equal((c[0], c[2], c[3], c[4]), (g["labels"], g["protocol"], g["head"], g["n"]));
            Assert.Equal(c[5], Pp(g["mean_pp"]));
            Assert.Equal(c[6], g["ci_low_pp"].Length == 0 ? "–" : $"[{Pp(g["ci_low_pp"])}, {Pp(g["ci_high_pp"])}]");
            Assert.Equal(c[8], P(g["p"]));
            Assert.Equal(c[9], P(g["holm_p"]));
            Assert.Equal(m[g["family"]]?.ToString(CultureInfo.InvariantCulture), g["m"]);
            Assert.Equal(g["family"] == GainFamily.All ? null : g["family"], c.Length == 16 ? c[15] : null);
            Assert.Contains(g["rule"], new[] { "last", "best-validation" });
            Assert.Contains($"`select: {g["rule"]}`", string.Join("\n", md.SkipWhile(l => l != $"## {experiment}").Take(4)));
        }
    }

    /// <summary>The three-rule table's column at each experiment's own rule is its gain table's final gain and CI, its last-3 column the last-epochs mean.</summary>
    [Fact]
    public void Rule_table_agrees_with_the_gain_table_at_each_experiments_rule()
    {
        var md = File.ReadAllText(Path.Combine(Reference, "report.md")).ReplaceLineEndings("\n").Split('\n');
        string section = "", rule = "";
        var gainRows = new Dictionary<(string, string, string, string, string), string[]>();
        int checkedRows = 0;
        foreach (var line in md)
        {
            if (line.StartsWith("## ", StringComparison.Ordinal)) { section = line[3..].Trim(); rule = ""; }
            var m = System.Text.RegularExpressions.Regex.Match(line, "`select: ([a-z-]+)`");
            if (m.Success && rule.Length == 0) rule = m.Groups[1].Value;
            var c = line.Trim().Trim('|').Split('|').Select(x => x.Trim()).ToArray();
            if (!line.StartsWith("| ", StringComparison.Ordinal) || c.Length < 2 || !c[1].Contains(" − ") || !int.TryParse(c[0], out _)) continue;
            var key = (section, c[0], c[1], c[2], c[3]);
            if (c.Length is 15 or 16) gainRows[key] = c;
            else if (c.Length == 11)
            {
                var g = gainRows[key];
                Assert.Equal(g[5..7], rule == "best-validation" ? c[5..7] : c[7..9]);
                Assert.Equal(g[11], c[9]);
                checkedRows++;
            }
        }
        Assert.Equal(gainRows.Count, checkedRows);
        Assert.Contains(md, l => l.Contains("`select: best-validation`")); // both rules are exercised
    }

    static string Pp(string v) => double.Parse(v, CultureInfo.InvariantCulture).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture);
    static string P(string v) => v.Length == 0 ? "–" : double.Parse(v, CultureInfo.InvariantCulture) is var p && p < 1e-4 ? p.ToString("0.0E+0", CultureInfo.InvariantCulture) : p.ToString("F4", CultureInfo.InvariantCulture);
}
