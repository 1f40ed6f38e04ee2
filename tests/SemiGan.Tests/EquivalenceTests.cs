using SemiGan.Config;
using SemiGan.Reports;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Tests;

/// <summary>equivalenceMargin: the TOST against its definition, its validation, and its table in the report.</summary>
public class EquivalenceTests
{
    // d = a − b = [0.0002, 0.0002, −0.0009, 0.0003, 0.0009]; the expected figures were computed outside .NET (mpmath,
    // 30 digits: t CDF from the regularized incomplete beta function, the 0.95 quantile by root finding).
    static readonly double[] A = [0.9650, 0.9662, 0.9641, 0.9655, 0.9670], B = [0.9648, 0.9660, 0.9650, 0.9652, 0.9661];

    [Fact]
    public void Tost_matches_an_independent_computation()
    {
        var e = Statistics.Equivalence(A, B, 0.003);
        Assert.Equal(0.00014, e.MeanDifference, 12);
        Assert.Equal(0.000208785341650510901, e.PLower, 9);
        Assert.Equal(0.000299937251260597646, e.PUpper, 9);
        Assert.Equal(e.PUpper, e.P);
        Assert.Equal(-0.000480070643510410796, e.CiLow, 9);
        Assert.Equal(0.000760070643510424367, e.CiHigh, 9);
        Assert.True(e.Equivalent);
    }

    [Fact]
    public void A_margin_inside_the_90_percent_ci_is_not_equivalent()
    {
        var e = Statistics.Equivalence(A, B, 0.0005);
        Assert.Equal(0.0463074711810984384, e.PLower, 9);
        Assert.Equal(0.141755532113828845, e.PUpper, 9);
        Assert.False(e.Equivalent);
        Assert.True(e.CiHigh > 0.0005); // the CI pokes out exactly when TOST p ≥ 0.05
    }

    [Fact]
    public void Without_spread_there_is_no_test()
    {
        var e = Statistics.Equivalence([0.9, 0.9], [0.8, 0.8], 0.003);
        Assert.True(double.IsNaN(e.P));
        Assert.False(e.Equivalent);
        Assert.Throws<ArgumentOutOfRangeException>(() => Statistics.Equivalence(A, B, 0));
    }

    [Theory]
    [InlineData("0"), InlineData("-0.3"), InlineData("100")]
    public void A_bad_margin_is_one_line_naming_the_field_and_exit_2(string margin)
    {
        string dir = Synthetic.TempDir();
        string exp = Path.Combine(dir, "e.json");
        File.WriteAllText(exp, $$"""{"name": "e", "labels": 100, "seeds": [1], "epochs": 1, "methods": ["sgan", "baseline"], "reference": "baseline", "equivalenceMargin": {{margin}} }""");
        string outDir = Path.Combine(dir, "out");
        var (code, _, err) = CliCapture.Run("run", exp, "--out", outDir);
        Assert.Equal(2, code);
        Assert.Single(err.Trim().Split('\n'));
        Assert.Contains("equivalenceMargin", err);
        Assert.Contains("percentage points", err);
        Assert.False(Directory.Exists(outDir));
    }

    /// <summary>The report's table: the same verdicts as the statistic, one row per gain, only where a margin is declared.</summary>
    [Fact]
    public void The_report_tests_each_gain_for_equivalence_within_the_declared_margin()
    {
        string root = Synthetic.TempDir();
        var config = new ExperimentConfig
        {
            Name = "eq", Labels = [100], Seeds = [1, 2, 3, 4, 5], Epochs = 1, Methods = ["sgan", "baseline"], Reference = "baseline", EquivalenceMargin = 0.3,
        }.Validated();
        string dir = Path.Combine(root, config.Name);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "config.json"), config.ToJson());
        EpochCsv.Append(Path.Combine(dir, "epochs.csv"),
            [.. Enumerable.Range(0, 5).SelectMany(i => new[] { Row("sgan", i + 1, A[i]), Row("baseline", i + 1, B[i]) })]);
        RunStatusCsv.Rewrite(Path.Combine(dir, "runs.csv"), config.Runs().Select(r => new RunStatus { RunId = r.Id, Run = r, Status = RunStatus.Finished, Epoch = 1 }));
        string md = File.ReadAllText(ReportWriter.Write(root));
        Assert.Contains("**Equivalence** (`equivalenceMargin`: ±0.3 pp", md);
        Assert.Contains("| 100 | sgan − baseline | masked | gan_logit | 5 | +0.01 | [-0.05, +0.08] | 0.0002 | 0.0003 | 0.0003 | equivalent within ±0.3 pp |", md);

        File.WriteAllText(Path.Combine(dir, "config.json"), (config with { EquivalenceMargin = null }).ToJson());
        Assert.DoesNotContain("Equivalence", File.ReadAllText(ReportWriter.Write(root)));
    }

    static EpochRecord Row(string method, int seed, double acc) => new()
    {
        Experiment = "eq", Run = RunSpec.Of(100, "masked", "gan_logit", seed, method, "mnist"), Epoch = 1,
        Iterations = 10, ImagesSeen = 1000, LabeledImagesSeen = 100, TestAccuracy = acc, TestLoss = 1 - acc, EpochSeconds = 1,
    };
}
