using SemiGan.Training;
using SemiGan.Reports;
using SemiGan.Results;

namespace SemiGan.Tests;

public class ReportTests
{
    static EpochRecord Row(string model, int labels, int seed, int epoch, double acc) => new()
    {
        Experiment = "sweep", Method = model, Protocol = "masked", Head = "gan_logit", Labels = labels, Seed = seed, Epoch = epoch,
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

    [Fact]
    public void Final_accuracy_is_the_last_epoch_and_the_second_column_the_last_k_mean()
    {
        var runs = Aggregation.Runs(Grid(), lastEpochs: 3);
        var r = runs.Single(x => x.Method == "sgan" && x.Labels == 100 && x.Seed == 1);
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
        string root = Synthetic.TempDir();
        string run = Path.Combine(root, "sweep");
        Directory.CreateDirectory(run);
        EpochCsv.Append(Path.Combine(run, "epochs.csv"), Grid());

        string path = ReportWriter.Write(root);
        string first = File.ReadAllText(path);
        string again = File.ReadAllText(ReportWriter.Write(root));

        Assert.Equal(first, again);
        Assert.Contains("| 100 | sgan | masked | gan_logit | 4 | 92.00 ± 2.16 |", first);
        Assert.Contains("sgan only: 4", first);
        Assert.Contains("| 1000 | sgan − baseline | masked | gan_logit | 2 | +0.50 |", first);
        foreach (var chart in new[] { "sweep-sweep", "gain-sweep", "learning-sweep-labels-100", "learning-sweep-labels-1000" })
        {
            Assert.True(File.Exists(Path.Combine(root, "report", chart + ".png")), chart);
            Assert.True(File.Exists(Path.Combine(root, "report", chart + ".svg")), chart);
            Assert.Contains($"report/{chart}.png", first);
        }
    }

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
