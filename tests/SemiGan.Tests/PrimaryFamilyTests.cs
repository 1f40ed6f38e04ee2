using System.Globalization;
using System.Text.Json.Nodes;
using SemiGan.Config;
using SemiGan.Reports;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Tests;

/// <summary>Declared primary comparisons: validated, recorded and fixed in a folder, and Holm applied within the family.</summary>
public class PrimaryFamilyTests
{
    static ExperimentConfig Config(string name, params PrimaryComparison[] primary) => new ExperimentConfig
    {
        Name = name, Labels = [100, 1000], Seeds = [1, 2, 3, 4], Epochs = 2, Methods = ["sgan", "baseline"], Reference = "baseline",
        Primary = primary.Length == 0 ? null : primary,
    }.Validated();

    static PrimaryComparison Sgan(int labels) => new() { Method = "sgan", Versus = "baseline", Labels = [labels] };

    static EpochRecord Row(string experiment, string method, int labels, int seed, int epoch, double acc) => new()
    {
        Experiment = experiment, Run = RunSpec.Of(labels, "masked", "gan_logit", seed, method, "mnist"), Epoch = epoch,
        Iterations = 10L * epoch, ImagesSeen = 1000L * epoch, LabeledImagesSeen = labels * epoch, TestAccuracy = acc, TestLoss = 1 - acc, EpochSeconds = 1,
    };

    /// <summary>Two epochs per run; the gains differ by label count and seed, so every test has its own p.</summary>
    static List<EpochRecord> Rows(string experiment, double shift) =>
    [
        .. from labels in new[] { 100, 1000 }
           from seed in new[] { 1, 2, 3, 4 }
           from method in new[] { "sgan", "baseline" }
           from epoch in new[] { 1, 2 }
           let gain = method == "baseline" ? 0 : (labels == 100 ? 0.05 : 0.01) + shift + 0.004 * seed * seed * (labels == 100 ? 1 : 0.5)
           select Row(experiment, method, labels, seed, epoch, 0.80 + 0.01 * seed - 0.02 * (2 - epoch) + gain * (epoch == 2 ? 1 : 0.7)),
    ];

    static string Folder(string root, ExperimentConfig config, double shift)
    {
        string dir = Path.Combine(root, config.Name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
        EpochCsv.Append(Path.Combine(dir, "epochs.csv"), Rows(config.Name, shift));
        // Every run ended, as a run records it (the folder can be resumed).
        RunStatusCsv.Rewrite(Path.Combine(dir, "runs.csv"), config.Runs().Select(r => new RunStatus { RunId = r.Id, Run = r, Status = RunStatus.Finished, Epoch = 2 }));
        return dir;
    }

    /// <summary>Holm's step-down by hand: sort ascending, multiply the j-th smallest (0-based) by m − j, cap at 1, keep the running maximum.</summary>
    static double[] HolmByHand(double[] p)
    {
        var order = Enumerable.Range(0, p.Length).OrderBy(i => p[i]).ToArray();
        var adjusted = new double[p.Length];
        double max = 0;
        for (int j = 0; j < order.Length; j++) adjusted[order[j]] = max = Math.Max(max, Math.Min(1, (p.Length - j) * p[order[j]]));
        return adjusted;
    }

    [Fact]
    public void Holm_is_applied_within_the_declared_primary_family_and_separately_to_the_rest()
    {
        string root = Synthetic.TempDir();
        Folder(root, Config("a", Sgan(100)), 0);
        Folder(root, Config("b", Sgan(1000)), 0.003);
        string md = File.ReadAllText(ReportWriter.Write(root)).ReplaceLineEndings("\n");
        var gains = TextTable.Read(Path.Combine(root, GainsCsv.FileName));

        // The paired tests' raw p's, from the same aggregation the report uses.
        var tests = new[] { "a", "b" }.SelectMany(e => Aggregation.Gains(Aggregation.Runs(Rows(e, e == "a" ? 0 : 0.003)), "baseline")).ToList();
        Assert.Equal(4, tests.Count);
        bool IsPrimary(GainSummary g) => (g.Experiment, g.Labels) is ("a", 100) or ("b", 1000);
        var primary = tests.Where(IsPrimary).ToList();
        var primaryHolm = HolmByHand(primary.Select(g => g.Final.P).ToArray());
        // Secondary: the other gains' final tests and every gain's last-epochs mean test.
        var secondaryRaw = tests.Where(g => !IsPrimary(g)).Select(g => g.Final.P).Concat(tests.Select(g => g.LastMean.P)).ToArray();
        var secondaryHolm = HolmByHand(secondaryRaw);
        Assert.All(primary, g => Assert.True(g.Final.P > 0 && g.Final.P < 0.5)); // not capped at 1: the adjustment shows

        foreach (var row in gains)
        {
            var g = tests.Single(t => t.Experiment == row["experiment"] && t.Labels.ToString(CultureInfo.InvariantCulture) == row["labels"]);
            double holm = double.Parse(row["holm_p"], CultureInfo.InvariantCulture);
            if (IsPrimary(g))
            {
                Assert.Equal(("primary", "2"), (row["family"], row["m"]));
                Assert.Equal(primaryHolm[primary.IndexOf(g)], holm, 12);
            }
            else
            {
                Assert.Equal(("secondary", "6"), (row["family"], row["m"]));
                Assert.Equal(secondaryHolm[tests.Where(t => !IsPrimary(t)).ToList().IndexOf(g)], holm, 12);
            }
        }
        // The report states both m's and marks each gain row's family; its Holm p cells are gains.csv's.
        Assert.Contains("the **primary family**, m = 2 paired tests", md);
        Assert.Contains("the **secondary family**, m = 6 paired tests", md);
        Assert.Contains("primary (m = 2) or secondary (m = 6)", md);
        var gainRows = md.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains("sgan − baseline") && l.Split('|').Length == 18).ToList();
        Assert.Equal(4, gainRows.Count);
        for (int i = 0; i < 4; i++)
        {
            var cells = gainRows[i].Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();
            Assert.Equal(gains[i]["family"], cells[15]);
            Assert.Equal(double.Parse(gains[i]["holm_p"], CultureInfo.InvariantCulture).ToString("F4", CultureInfo.InvariantCulture), cells[9]);
            // The last-epochs mean's Holm p is in the secondary family, for a primary gain too.
            var g = tests.Single(t => t.Experiment == gains[i]["experiment"] && t.Labels.ToString(CultureInfo.InvariantCulture) == gains[i]["labels"]);
            int k = tests.Where(t => !IsPrimary(t)).Count() + tests.IndexOf(g);
            Assert.Equal(secondaryHolm[k].ToString("F4", CultureInfo.InvariantCulture), cells[13]);
        }
        Assert.Contains("**Primary comparisons** (`primary`): sgan − baseline at 100 labels.", md);
        Assert.Contains("recorded in the folder's config.json with its runs", md);
        // The forest plot shows the primary family only.
        Assert.Contains("The 2 declared primary comparisons", md);
        // The figure's texts, joined: captions wrap over several <text> elements.
        string svg = string.Join(" ", System.Text.RegularExpressions.Regex.Matches(File.ReadAllText(Path.Combine(root, "report", "gains.svg")), @"<text[^>]*>([^<]*)</text>", System.Text.RegularExpressions.RegexOptions.Singleline)
            .Select(m => System.Net.WebUtility.HtmlDecode(m.Groups[1].Value.Trim())));
        Assert.Contains("within the declared primary family (m = 2 paired tests)", svg);
        Assert.Contains("a, 100 labels", svg);
        Assert.Contains("b, 1000 labels", svg);
        Assert.DoesNotContain("a, 1000 labels", svg);
        Assert.DoesNotContain("b, 100 labels", svg);
    }

    [Fact]
    public void Without_a_declared_family_every_test_is_one_family_as_before()
    {
        string root = Synthetic.TempDir();
        Folder(root, Config("a"), 0);
        string md = File.ReadAllText(ReportWriter.Write(root));
        var gains = TextTable.Read(Path.Combine(root, GainsCsv.FileName));
        Assert.All(gains, g => Assert.Equal(("all", "4"), (g["family"], g["m"])));
        Assert.Contains("over all m = 4 paired tests", md);
        Assert.DoesNotContain("primary", md, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("""[{"method": "vat", "versus": "baseline", "labels": 100}]""", "primary[0].method: 'vat' is not trained by this experiment")]
    [InlineData("""[{"method": "sgan", "versus": "supervised", "labels": 100}]""", "primary[0].versus: 'supervised' is not trained by this experiment")]
    [InlineData("""[{"method": "sgan", "versus": "baseline", "labels": 300}]""", "primary[0].labels: 300 is not a label count of this experiment; name one of [100, 1000]")]
    [InlineData("""[{"method": "baseline", "versus": "sgan", "labels": 100}]""", "primary[0]: baseline versus sgan is not a gain the report computes (it computes: sgan versus baseline); add [\"baseline\", \"sgan\"] to comparisons")]
    [InlineData("""[{"method": "sgan", "versus": "baseline", "labels": [100, 100]}]""", "primary[0].labels: must not repeat a label count")]
    [InlineData("""[{"method": "sgan", "versus": "baseline"}]""", "'primary[0]' must give method, versus and labels")]
    [InlineData("""[{"method": "sgan", "against": "baseline", "labels": 100}]""", "unknown field in 'primary[0].against'; a primary entry has the fields method, versus, labels")]
    [InlineData("""[]""", "primary: must list at least one comparison")]
    public void A_bad_primary_entry_is_one_line_naming_the_field_and_exit_2_with_nothing_written(string primary, string expected)
    {
        string dir = Synthetic.TempDir();
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, $$"""{"name": "e", "labels": [100, 1000], "seeds": [1], "epochs": 1, "methods": ["sgan", "baseline"], "reference": "baseline", "primary": {{primary}} }""");
        var e = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(exp));
        Assert.Contains(expected, e.Message);
        string outDir = Path.Combine(dir, "out");
        var (code, _, err) = CliCapture.Run("run", exp, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains(expected, err);
        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void Precision_renames_the_primary_comparisons_with_the_methods()
    {
        var cfg = Config("a", Sgan(100)).InPrecision("bf16");
        Assert.Equal(("sgan-bf16", "baseline-bf16"), (cfg.Primary![0].Method, cfg.Primary[0].Versus));
        cfg.Validated();
    }

    [Fact]
    public void A_folder_with_rows_refuses_a_different_primary_list_and_a_new_folder_takes_it()
    {
        string root = Synthetic.TempDir();
        string dir = Folder(root, Config("a", Sgan(100)), 0);
        string before = File.ReadAllText(Path.Combine(dir, "config.json"));

        foreach (var edited in new[] { Config("a", Sgan(1000)), Config("a", Sgan(100), Sgan(1000)), Config("a") })
        {
            var e = Assert.Throws<ConfigException>(() => RunOutput.Check(dir, edited));
            Assert.Contains("a primary family cannot change after the runs: pass --out with a new folder", e.Message);
            Assert.DoesNotContain('\n', e.Message);
            Assert.Throws<ConfigException>(() => RunOutput.Open(dir, edited));
        }
        Assert.Equal(before, File.ReadAllText(Path.Combine(dir, "config.json")));
        RunOutput.Check(dir, Config("a", Sgan(100))); // the same list resumes
        RunOutput.Check(Path.Combine(root, "new"), Config("a", Sgan(1000))); // a new folder takes any list

        // Before any row, the family is still declared before the runs: a changed list is taken, unmarked.
        string empty = Path.Combine(root, "empty");
        var first = RunOutput.Open(empty, Config("e", Sgan(100)));
        first.WriteConfig(Config("e", Sgan(100)));
        var second = RunOutput.Open(empty, Config("e", Sgan(1000)));
        second.WriteConfig(Config("e", Sgan(1000)));
        var recorded = ExperimentConfig.Load(second.ConfigPath);
        Assert.Equal(1000, recorded.Primary!.Single().Labels.Single());
        Assert.False(recorded.PrimaryDeclaredAfterRuns);
    }

    [Fact]
    public void A_folder_from_before_the_field_gets_a_family_once_and_the_report_says_it_came_after_the_runs()
    {
        string root = Synthetic.TempDir();
        string dir = Folder(root, Config("a"), 0);
        Assert.DoesNotContain("primary", File.ReadAllText(Path.Combine(dir, "config.json"))); // as config.json files before the field

        var declared = Config("a", Sgan(100));
        // A dry run says what a run would record (a config.json is itself an experiment file), and writes nothing.
        string exp = Path.Combine(root, "declared.json");
        File.WriteAllText(exp, declared.ToJson());
        var (code, stdout, err) = CliCapture.Run("run", exp, "--out", dir, "--dry-run");
        Assert.True(code == 0, err);
        Assert.Contains("primary comparisons: sgan versus baseline at 100 labels (declared after the folder's runs: config.json records that, and the report says it)", stdout);
        Assert.DoesNotContain("primary", File.ReadAllText(Path.Combine(dir, "config.json")));

        var output = RunOutput.Open(dir, declared);
        output.WriteConfig(declared);
        var recorded = JsonNode.Parse(File.ReadAllText(output.ConfigPath))!;
        Assert.Equal("sgan", recorded["primary"]![0]!["method"]!.GetValue<string>());
        Assert.True(recorded["primaryDeclaredAfterRuns"]!.GetValue<bool>());

        // Once recorded, it is fixed; the same list resumes and keeps its mark.
        var e = Assert.Throws<ConfigException>(() => RunOutput.Check(dir, Config("a", Sgan(1000))));
        Assert.Contains("pass --out with a new folder", e.Message);
        var again = RunOutput.Open(dir, declared);
        again.WriteConfig(declared);
        Assert.True(ExperimentConfig.Load(again.ConfigPath).PrimaryDeclaredAfterRuns);

        string md = File.ReadAllText(ReportWriter.Write(root));
        Assert.Contains("**This family was declared after the runs**", md);
        Assert.Contains("the **primary family**, m = 1 paired test,", md);
    }
}
