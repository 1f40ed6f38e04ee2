using SemiGan.Training;
using SemiGan.Reports;
using SemiGan.Results;

namespace SemiGan.Tests;

public class ReportTests
{
    static EpochRecord Row(string model, int labels, int seed, int epoch, double acc) => new()
    {
        Experiment = "sweep", Run = Training.RunSpec.Of(labels, "masked", "gan_logit", seed, model, Training.RunSpec.LegacyDataset), Epoch = epoch,
        Iterations = 10L * epoch, ImagesSeen = 1000L * epoch, LabeledImagesSeen = labels * epoch, TestAccuracy = acc, TestLoss = 1 - acc,
        Losses = model == "sgan" ? LossValues.Of(("supervised", 0.5), ("unsupervised", 1.0), ("generator", 0.7)) : LossValues.Of(("supervised", 0.5)), EpochSeconds = 1,
    };

    /// <summary>4 epochs per run; the final accuracy is the given value, earlier epochs are lower.</summary>
    static IEnumerable<EpochRecord> Run(string model, int labels, int seed, double final) =>
        Enumerable.Range(1, 4).Select(e => Row(model, labels, seed, e, final - 0.01 * (4 - e)));

    static List<EpochRecord> Grid() =>
    [
        .. Run("sgan", 100, 1, 0.90), .. Run("sgan", 100, 2, 0.92), .. Run("sgan", 100, 3, 0.91), .. Run("sgan", 100, 4, 0.95),
        .. Run("baseline", 100, 1, 0.80), .. Run("baseline", 100, 2, 0.83), .. Run("baseline", 100, 3, 0.81),
        .. Run("sgan", 1000, 1, 0.97), .. Run("sgan", 1000, 2, 0.96),
        .. Run("baseline", 1000, 1, 0.96), .. Run("baseline", 1000, 2, 0.96),
    ];

    /// <summary>A results root holding <see cref="Grid"/> in its run folder "sweep".</summary>
    static (string Root, string Run) GridFolder()
    {
        string root = Synthetic.TempDir();
        string run = Path.Combine(root, "sweep");
        Directory.CreateDirectory(run);
        EpochCsv.Append(Path.Combine(run, "epochs.csv"), Grid());
        return (root, run);
    }

    [Fact]
    public void Final_accuracy_is_the_last_epoch_and_the_second_column_the_last_k_mean()
    {
        var runs = Aggregation.Runs(Grid(), lastEpochs: 3);
        var r = runs.Single(x => x.Run.Method == "sgan" && x.Run.Labels == 100 && x.Run.Seed == 1);
        Assert.Equal(4, r.Epochs);
        Assert.Equal(0.90, r.Final, 12);
        Assert.Equal((0.88 + 0.89 + 0.90) / 3, r.LastMean, 12);
        Assert.Equal(0.01, r.LastStd, 12);
    }

    [Fact]
    public void A_seed_missing_for_one_model_is_reported_not_paired()
    {
        var gains = Aggregation.Gains(Aggregation.Runs(Grid()), "baseline");
        var g100 = gains.Single(g => g.Labels == 100);
        Assert.Equal(("sgan", "baseline"), (g100.Method, g100.Reference));
        Assert.Equal([1, 2, 3], g100.PairedSeeds);
        Assert.Equal([4], g100.MethodOnlySeeds);
        Assert.Empty(g100.ReferenceOnlySeeds);
        Assert.Equal(3, g100.Final.N);
        // Paired over seeds 1-3 only: (0.10 + 0.09 + 0.10) / 3.
        Assert.Equal(0.29 / 3, g100.Final.MeanDifference, 12);
        var v = Aggregation.Variants(Aggregation.Runs(Grid())).Single(x => x.Method == "sgan" && x.Labels == 100);
        Assert.Equal(4, v.Final.N); // the variant summary still uses all of its seeds
    }

    [Fact]
    public void Report_is_generated_from_csv_alone_and_regenerates_identically()
    {
        var (root, _) = GridFolder();

        string path = ReportWriter.Write(root);
        string first = File.ReadAllText(path);
        string again = File.ReadAllText(ReportWriter.Write(root));

        Assert.Equal(first, again);
        Assert.Contains("| 100 | sgan | masked | gan_logit | 4 | 92.00 ± 2.16 |", first);
        Assert.Contains("sgan only: 4", first);
        Assert.Contains("| 1000 | sgan − baseline | masked | gan_logit | 2 | +0.50 |", first);
        foreach (var chart in new[] { "sweep-sweep", "gain-sweep", "learning-sweep", "loss-sweep-sgan-masked-gan_logit", "loss-sweep-baseline-masked-gan_logit" })
        {
            Assert.True(File.Exists(Path.Combine(root, "report", chart + ".png")), chart);
            Assert.True(File.Exists(Path.Combine(root, "report", chart + ".svg")), chart);
            Assert.Contains($"report/{chart}.png", first);
        }
    }

    [Fact]
    public void Variant_rows_give_min_and_median_and_the_budget_table_counts_epochs_steps_and_minutes()
    {
        var (root, run) = GridFolder();
        string report = File.ReadAllText(ReportWriter.Write(root));
        // sgan at 100 labels: finals 90, 92, 91, 95 -> min 90, median (91 + 92) / 2; at 1000: 97, 96.
        Assert.Contains("| 100 | sgan | masked | gan_logit | 4 | 92.00 ± 2.16 | [88.56, 95.44] | 90.00 / 91.50 |", report);
        Assert.Contains("| 1000 | sgan | masked | gan_logit | 2 | 96.50 ± 0.71 | [90.15, 102.85] | 96.00 / 96.50 |", report);
        // 6 sgan runs and 5 baseline runs of 4 epochs, 10 steps and 1000 images an epoch, 1 s each.
        Assert.Contains("| sgan | 6 | 4 | 40 | 4000 | 0.4 | 1.0 |\n", report.Replace("\r\n", "\n"));
        Assert.Contains("| baseline | 5 | 4 | 40 | 4000 | 0.3 | 1.0 |\n", report.Replace("\r\n", "\n"));
        Assert.Contains("the thread count is not on record", report);

        // With the threads on record (run-info.json), the CPU-minutes column.
        File.WriteAllText(Path.Combine(run, "run-info.json"), """[{ "torchThreads": 2 }, { "torchThreads": 2 }]""");
        report = File.ReadAllText(ReportWriter.Write(root));
        Assert.Contains("| sgan | 6 | 4 | 40 | 4000 | 0.4 | 1.0 | 0.8 |", report);

        // An unfinished run (2 of 4 epochs, 7 s each) counts its epochs: 24 + 14 s over 26 epochs, not per run.
        EpochCsv.Append(Path.Combine(run, "epochs.csv"), Enumerable.Range(1, 2).Select(e => Row("sgan", 100, 5, e, 0.5) with { EpochSeconds = 7 }).ToList());
        report = File.ReadAllText(ReportWriter.Write(root));
        Assert.Contains($"| sgan | 7 | 2–4 | 20–40 | 2000–4000 | 0.6 | {(38.0 / 26).ToString("F1", System.Globalization.CultureInfo.InvariantCulture)} | 1.3 |", report);
        Assert.Contains("at 2 torch threads for every invocation", report);
    }

    [Fact]
    public void Machine_and_time_sum_only_invocations_that_ended_and_name_each_ones_commit()
    {
        var (root, run) = GridFolder();
        // Three invocations: one stopped (no end), two ended (1 h 30 min 5 s and 25 h); hours do not wrap at a day.
        File.WriteAllText(Path.Combine(run, "run-info.json"), """
            [{ "torchThreads": 1, "gitCommit": "3385fab5024f979970c5ab3015d147bff839407f", "startedUtc": "2026-11-30T14:31:43.5Z", "finishedUtc": null, "elapsedSeconds": null, "commandLine": ["run", "x.json"] },
             { "torchThreads": 1, "gitCommit": "3385fab5024f979970c5ab3015d147bff839407f", "startedUtc": "2026-11-30T18:12:22.2Z", "elapsedSeconds": 5404.6, "commandLine": ["run", "x.json"] },
             { "torchThreads": 1, "gitCommit": "7b6a1ef0000000000000000000000000000000ab", "startedUtc": "2026-12-01T00:00:00.0Z", "elapsedSeconds": 90000, "commandLine": ["run", "x.json"] }]
            """);
        string report = File.ReadAllText(ReportWriter.Write(root)).Replace("\r\n", "\n");
        Assert.Contains("elapsed 26:30:05 over the 2 of 3 invocations that ended; 1 recorded no end (stopped, or still running).", report);
        Assert.Contains("- `semigan run x.json` at commit 3385fab, started 2026-11-30 14:31 UTC, no end recorded\n", report);
        Assert.Contains("- `semigan run x.json` at commit 3385fab, started 2026-11-30 18:12 UTC, 1:30:05\n", report);
        Assert.Contains("- `semigan run x.json` at commit 7b6a1ef, started 2026-12-01 00:00 UTC, 25:00:00\n", report);

        // No invocation ended (or an empty list): no elapsed time is claimed.
        File.WriteAllText(Path.Combine(run, "run-info.json"), """[{ "torchThreads": 1, "commandLine": ["run", "x.json"] }]""");
        report = File.ReadAllText(ReportWriter.Write(root)).Replace("\r\n", "\n");
        Assert.Contains("no elapsed time: none of its 1 invocation recorded an end (stopped, or still running).", report);
        Assert.Contains("- `semigan run x.json`, no end recorded\n", report);
        File.WriteAllText(Path.Combine(run, "run-info.json"), "[]");
        File.WriteAllText(Path.Combine(run, "config.json"), """{ "name": "sweep", "labels": [100, 1000], "methods": ["sgan", "baseline"], "seeds": [1, 2, 3, 4], "epochs": 4 }""");
        report = File.ReadAllText(ReportWriter.Write(root));
        Assert.DoesNotContain("**Machine and time**", report);
        Assert.Contains("Resolved configuration (<code>sweep/config.json</code>)", report); // an empty run-info hides nothing else
    }

    [Fact]
    public void Sample_grids_are_listed_by_epoch_number_past_epoch_99()
    {
        var (root, run) = GridFolder();
        string dir = Path.Combine(run, "samples", "epochs");
        Directory.CreateDirectory(dir);
        int[] epochs = [1, 2, 9, 10, 11, 99, 100, 101];
        foreach (int e in epochs) File.WriteAllBytes(Path.Combine(dir, $"sgan-labels-100-seed-1-epoch-{e:D2}.png"), []);
        string report = File.ReadAllText(ReportWriter.Write(root));
        string header = report.Split('\n').Single(l => l.StartsWith("| epoch 1 |")).TrimEnd('\r');
        Assert.Equal("| " + string.Join(" | ", epochs.Select(e => $"epoch {e}")) + " |", header);
        string images = report.Split('\n').Single(l => l.StartsWith("| ![](")).TrimEnd('\r');
        Assert.Equal("| " + string.Join(" | ", epochs.Select(e => $"![](sweep/samples/epochs/sgan-labels-100-seed-1-epoch-{e:D2}.png)")) + " |", images);
    }

    [Fact]
    public void A_folders_description_and_note_md_are_printed_under_its_heading()
    {
        var (root, run) = GridFolder();
        string plain = File.ReadAllText(ReportWriter.Write(root));
        Assert.DoesNotContain("> **Note**", plain);

        File.WriteAllText(Path.Combine(run, "config.json"),
            """{ "name": "sweep", "description": "Two label counts, for a test.", "labels": [100, 1000], "methods": ["sgan", "baseline"], "seeds": [1, 2, 3, 4], "epochs": 4 }""");
        File.WriteAllText(Path.Combine(run, "note.md"), "History: superseded by another run.\r\nKept for its provenance.\n");
        string report = File.ReadAllText(ReportWriter.Write(root));
        string nl = Environment.NewLine; // the note's own CRLF must not leak into the report
        int heading = report.IndexOf($"## sweep{nl}"), description = report.IndexOf($"{nl}*Two label counts, for a test.*{nl}"),
            note = report.IndexOf($"{nl}> **Note** (`sweep/note.md`): History: superseded by another run.{nl}> Kept for its provenance.{nl}"),
            methods = report.IndexOf("| method | shown as |");
        Assert.True(heading >= 0 && description > heading && note > description && methods > note, $"{heading} {description} {note} {methods}");
    }

    [Fact]
    public void Summary_min_and_median_follow_their_definitions()
    {
        var odd = Statistics.Summarize([0.3, 0.1, 0.2]);
        Assert.Equal((0.1, 0.2), (odd.Min, odd.Median));
        var even = Statistics.Summarize([0.4, 0.1, 0.3, 0.2]);
        Assert.Equal(0.1, even.Min);
        Assert.Equal(0.25, even.Median, 12);
        var one = Statistics.Summarize([0.7]);
        Assert.Equal((0.7, 0.7), (one.Min, one.Median));
        Assert.True(double.IsNaN(Statistics.Summarize([]).Median));
    }

    [Fact]
    public void Gain_rows_carry_holm_p_over_the_whole_report_the_smallest_detectable_gain_and_spread_tests()
    {
        string root = Synthetic.TempDir();
        foreach (string name in new[] { "sweep", "other" })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            EpochCsv.Append(Path.Combine(root, name, "epochs.csv"), Grid().Select(r => r with { Experiment = name }).ToList());
        }
        string md = File.ReadAllText(ReportWriter.Write(root));

        // Two sections x two gain rows x (final, last-epochs mean): one family of m = 8, not two families of 4.
        Assert.Contains("all m = 8 paired tests", md);
        var gains = Aggregation.Gains(Aggregation.Runs(Grid()), "baseline"); // each section's rows (the two are identical)
        double[] raw = gains.SelectMany(g => new[] { g.Final.P, g.LastMean.P }).ToArray();
        double[] holm = Statistics.Holm([.. raw, .. raw]);
        Assert.NotEqual(holm[0], Statistics.Holm(raw)[0]); // the test tells a per-section family apart
        var row = Cells(md, "| 100 | sgan − baseline |", 0);
        Assert.Equal(raw[0].ToString("F4", System.Globalization.CultureInfo.InvariantCulture), row[8]);
        Assert.Equal(holm[0].ToString("F4", System.Globalization.CultureInfo.InvariantCulture), row[9]);
        Assert.Equal(holm[1].ToString("F4", System.Globalization.CultureInfo.InvariantCulture), row[13]);
        // Differences 10, 9, 10 pp have std 0.577 pp; 80% power on 2 df needs noncentrality 5.6535 (bisection on the
        // df-2 closed form of StatisticsTests, in Python), so δ = 5.6535 · 0.577 / sqrt(3) = 1.88 pp.
        Assert.Equal("1.88", row[10]);

        // sgan 90, 92, 91 (std 1.00) vs baseline 80, 83, 81 (std 1.53): F = 3/7 on (2, 2), p = 2·F/(1 + F) = 0.6;
        // Brown–Forsythe z = 1, 0, 1 vs 1, 2, 0 (medians 91 and 81): F = 0.25 on (1, 4), p = 0.6433 (t_4 closed form, in Python).
        Assert.Equal(["1.00", "1.53", "0.65", "0.6000", "0.6433"], Cells(md, "| 100 | sgan − baseline |", 2)[5..]);
        // Two pairs, the baseline's finals equal: the F-test's ratio is infinite (p 0), Brown–Forsythe has no within-side spread.
        Assert.Equal(["0.71", "0.00", "∞", "0.0E+0", "–"], Cells(md, "| 1000 | sgan − baseline |", 2)[5..]);
    }

    /// <summary>A run from per-epoch test accuracies (and validation accuracies, or none).</summary>
    static IEnumerable<EpochRecord> Curve(string model, int seed, double?[] test, double[]? validation = null) =>
        test.Select((t, i) => Row(model, 100, seed, i + 1, 0) with { TestAccuracy = t, TestLoss = null, ValidationAccuracy = validation?[i] });

    [Fact]
    public void A_drop_of_more_than_10_pp_between_epochs_is_flagged_with_its_epochs_and_exactly_10_pp_is_not()
    {
        List<EpochRecord> rows =
        [
            .. Curve("sgan", 1, [0.80, 0.85, 0.70, 0.72]),                                     // test 85 → 70 at epoch 3
            .. Curve("sgan", 2, [0.80, 0.70, 0.75, 0.65]),                                     // exactly 10 pp twice (0.8 − 0.7 is 0.1000…09 in doubles)
            .. Curve("baseline", 1, [null, null, null], [0.90, 0.75, 0.80]),                    // a tuning run: validation only, 90 → 75 at epoch 2
            .. Curve("baseline", 2, [null, null, null], [0.90, 0.92, 0.93]),
        ];
        var cs = Aggregation.Collapses(rows);
        Assert.Equal(2, cs.Count);
        var c = cs.Single(x => x.Run.Method == "sgan");
        Assert.Equal((1, "test", 2, 0.85, 3, 0.70), (c.Run.Seed, c.Measure, c.FromEpoch, c.From, c.ToEpoch, c.To));
        c = cs.Single(x => x.Run.Method == "baseline");
        Assert.Equal((1, "validation", 1, 0.90, 2, 0.75), (c.Run.Seed, c.Measure, c.FromEpoch, c.From, c.ToEpoch, c.To));

        string root = Synthetic.TempDir();
        foreach (var (name, data) in new[] { ("collapsing", rows), ("steady", Grid()) })
        {
            Directory.CreateDirectory(Path.Combine(root, name));
            EpochCsv.Append(Path.Combine(root, name, "epochs.csv"), data.Select(r => r with { Experiment = name }).ToList());
        }
        string md = File.ReadAllText(ReportWriter.Write(root)).ReplaceLineEndings("\n");
        // A section's "### Collapses" up to its learning curves.
        string Section(string name)
        {
            string rest = md[md.IndexOf($"## {name}", StringComparison.Ordinal)..];
            rest = rest[rest.IndexOf("### Collapses", StringComparison.Ordinal)..];
            return rest[..rest.IndexOf("### Learning curves", StringComparison.Ordinal)];
        }
        Assert.Contains("| 100 | sgan | masked | gan_logit | 1 | test | 2 → 3 | 85.00 → 70.00 | -15.00 |", Section("collapsing"));
        Assert.Contains("| 100 | baseline | masked | gan_logit | 1 | validation | 1 → 2 | 90.00 → 75.00 | -15.00 |", Section("collapsing"));
        Assert.DoesNotContain("| 100 | sgan | masked | gan_logit | 2 |", Section("collapsing"));
        Assert.Contains("No run drops by more than 10 pp between epochs", Section("steady"));
        Assert.DoesNotContain("No run drops", Section("collapsing"));
    }

    [Fact]
    public void Each_gain_is_given_under_best_validation_last_epoch_and_last_3_mean()
    {
        double[] val = [0.6, 0.7, 0.9, 0.8, 0.8]; // best validation at epoch 3 for every run
        List<EpochRecord> rows =
        [
            .. Curve("sgan", 1, [0.70, 0.80, 0.90, 0.85, 0.84], val),
            .. Curve("sgan", 2, [0.70, 0.82, 0.88, 0.86, 0.80], val),
            .. Curve("baseline", 1, [0.70, 0.75, 0.80, 0.82, 0.83], val),
            .. Curve("baseline", 2, [0.70, 0.76, 0.80, 0.80, 0.84], val),
        ];
        var runs = Aggregation.Runs(rows);
        var r = Assert.Single(Aggregation.ByRule(runs, Aggregation.Gains(runs, "baseline")));
        // By hand: best validation 90−80, 88−80; last 84−83, 80−84; last-3 mean 86.33−81.67, 84.67−81.33.
        // Two pairs: CI = mean ± t(0.975, 1) · sd / √2, t(0.975, 1) = 12.7062047361747.
        const double t1 = 12.7062047361747;
        foreach (var (test, d1, d2) in new[] { (r.BestValidation, 0.10, 0.08), (r.Last, 0.01, -0.04), (r.LastMean, (0.90 + 0.85 + 0.84 - 0.80 - 0.82 - 0.83) / 3, (0.88 + 0.86 + 0.80 - 0.80 - 0.80 - 0.84) / 3) })
        {
            double mean = (d1 + d2) / 2, half = t1 * Math.Abs(d1 - d2) / Math.Sqrt(2) / Math.Sqrt(2);
            Assert.Equal(2, test.N);
            Assert.Equal(mean, test.MeanDifference, 12);
            Assert.Equal(mean - half, test.CiLow, 9);
            Assert.Equal(mean + half, test.CiHigh, 9);
        }
        Assert.Equal(0.09, r.BestValidation.MeanDifference, 12);
        Assert.Equal(-0.015, r.Last.MeanDifference, 12);
        Assert.Equal(0.04, r.LastMean.MeanDifference, 12);

        string root = Synthetic.TempDir();
        Directory.CreateDirectory(Path.Combine(root, "rules"));
        EpochCsv.Append(Path.Combine(root, "rules", "epochs.csv"), rows);
        string md = File.ReadAllText(ReportWriter.Write(root));
        Assert.Equal(["2", "+9.00", "[-3.71, +21.71]", "-1.50", "[-33.27, +30.27]", "+4.00", "[-4.47, +12.47]"],
            Cells(md, "| 100 | sgan − baseline |", 1)[4..]);

        // Without a validation split the best-validation column is empty, the others unchanged.
        runs = Aggregation.Runs(rows.Select(x => x with { ValidationAccuracy = null }));
        r = Assert.Single(Aggregation.ByRule(runs, Aggregation.Gains(runs, "baseline")));
        Assert.True(double.IsNaN(r.BestValidation.MeanDifference));
        Assert.Equal(-0.015, r.Last.MeanDifference, 12);
    }

    /// <summary>The cells of the <paramref name="k"/>-th table row starting with <paramref name="prefix"/>.</summary>
    static string[] Cells(string md, string prefix, int k) =>
        md.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal)).ElementAt(k)
            .Trim().Trim('|').Split('|').Select(c => c.Trim()).ToArray();

    [Fact]
    public void Confusion_csv_round_trips_and_charts()
    {
        var m = new long[10, 10];
        for (int i = 0; i < 10; i++) { m[i, i] = 90 + i; m[i, (i + 1) % 10] = 10 - i; }
        string dir = Synthetic.TempDir();
        ConfusionCsv.Write(Path.Combine(dir, "c.csv"), m);
        Assert.Equal(m, ConfusionCsv.Read(Path.Combine(dir, "c.csv")));
        ConfusionChart.Write(m, Path.Combine(dir, "c.png"), Path.Combine(dir, "c.svg"), "test");
        Assert.True(new FileInfo(Path.Combine(dir, "c.png")).Length > 1000);
    }
}
