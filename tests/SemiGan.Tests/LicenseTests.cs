using System.Text.RegularExpressions;

namespace SemiGan.Tests;

/// <summary>LICENSE and CITATION.cff are there with what they must say (no YAML parser here: the top-level keys by line; full check against the CFF 1.2.0 schema done by hand).</summary>
public class LicenseTests
{
    [Fact]
    public void License_is_MIT_and_citation_has_the_required_cff_keys_and_both_references()
    {
        string license = File.ReadAllText(Path.Combine(RepoRoot.Path, "LICENSE"));
        Assert.StartsWith("MIT License", license);
        Assert.Contains("Copyright (c) 2026 SemiGan contributors", license);

        string cff = File.ReadAllText(Path.Combine(RepoRoot.Path, "CITATION.cff"));
        var topLevel = Regex.Matches(cff, @"^([a-z-]+):", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();
        foreach (string key in new[] { "cff-version", "message", "title", "authors", "license", "type", "references" })
            Assert.Contains(key, topLevel);
        Assert.Matches(@"(?m)^cff-version: 1\.2\.0$", cff);
        Assert.Matches(@"(?m)^license: MIT$", cff);
        Assert.Matches(@"(?m)^type: software$", cff);
        Assert.Matches(@"(?m)^authors:\n  - name: ""SemiGan contributors""$", cff.ReplaceLineEndings("\n"));
        Assert.Contains("Improved Techniques for Training GANs", cff);
        Assert.Contains("Semi-Supervised Learning with Generative Adversarial Networks", cff);
        Assert.DoesNotContain("\t", cff); // YAML indents with spaces only
    }
}
