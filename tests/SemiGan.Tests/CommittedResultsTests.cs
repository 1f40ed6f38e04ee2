using SemiGan.Reports;

namespace SemiGan.Tests;

/// <summary>The committed reference report must be exactly what `semigan report` makes of the committed CSVs.</summary>
public class CommittedResultsTests
{
    [Fact]
    public void Reference_report_regenerates_identically_from_the_committed_csvs()
    {
        string reference = Path.Combine(RepoRoot.Path, "results", "reference");
        string committed = File.ReadAllText(Path.Combine(reference, "report.md"));

        string copy = Synthetic.TempDir();
        foreach (string f in Directory.EnumerateFiles(reference, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(reference, f);
            if (rel.StartsWith("report", StringComparison.Ordinal)) continue; // the report and its charts are outputs
            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(copy, rel))!);
            File.Copy(f, Path.Combine(copy, rel));
        }

        string regenerated = File.ReadAllText(ReportWriter.Write(copy));
        Assert.Equal(committed.ReplaceLineEndings("\n"), regenerated.ReplaceLineEndings("\n"));
        Assert.Contains("## seed-1000", regenerated);
        Assert.Contains("## sweep-labels", regenerated);
    }
}
