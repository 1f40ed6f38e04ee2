using SemiGan.Experiments;
using SemiGan.Cli;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Reports;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Tests;

public class ValidationSplitTests
{
    static byte[] Labels(int n) => Enumerable.Range(0, n).Select(i => (byte)(i * 7 % 10)).ToArray();

    [Fact]
    public void Validation_is_class_balanced_disjoint_from_every_labeled_split_and_depends_only_on_seed_and_count()
    {
        var labels = Labels(3000);
        var validation = LabeledSplit.CreateValidation(labels, 500, seed: 4);
        Assert.Equal(500, validation.Indices.Length);
        Assert.All(validation.Indices.GroupBy(i => labels[i]), g => Assert.Equal(50, g.Count()));
        foreach (int n in new[] { 10, 100, 1000, 2000 })
            Assert.Empty(LabeledSplit.Create(labels, n, seed: 4).Indices.Intersect(validation.Indices));
        Assert.Equal(validation.Indices, LabeledSplit.CreateValidation(labels, 500, seed: 4).Indices);
        Assert.NotEqual(validation.Indices, LabeledSplit.CreateValidation(labels, 500, seed: 5).Indices);
        // The labeled split is the one drawn without a validation split (same shuffle, taken from the other end).
        Assert.Equal(LabeledSplit.Create(labels, 100, 4).Indices, LabeledSplit.Create(labels, 100, 4).Indices);
    }

    [Fact]
    public void A_class_without_room_for_both_splits_is_refused_naming_the_field()
    {
        var e = Assert.Throws<ArgumentException>(() => LabeledSplit.CheckDisjoint(Labels(3000), 2000, 1100));
        Assert.StartsWith("validation:", e.Message);
        LabeledSplit.CheckDisjoint(Labels(3000), 2000, 1000); // 200 + 100 per class of 300: fits exactly
    }

    [Theory]
    [InlineData("masked", true)]
    [InlineData("streams", false)]
    public void Held_out_images_never_reach_a_training_step(string protocol, bool labeledInPool)
    {
        var labels = Labels(2000);
        var labeled = LabeledSplit.Create(labels, 100, 3);
        var validation = LabeledSplit.CreateValidation(labels, 200, 3);
        var schedule = new BatchSchedule(ProtocolNames.Parse(protocol), 2000, labeled.Indices, labeledInPool, 50, 3, validation.Indices);
        var seen = schedule.Epoch(1).SelectMany(s => s.Real.Concat(s.Labeled)).Select(i => (int)i).ToHashSet();
        Assert.Empty(seen.Intersect(validation.Indices));
        Assert.Empty(schedule.UnlabeledPool.Select(i => (int)i).Intersect(validation.Indices));
        if (!labeledInPool) Assert.Empty(schedule.UnlabeledPool.Select(i => (int)i).Intersect(labeled.Indices));
        if (protocol == "masked") Assert.Equal((2000 - 200) / 50, schedule.StepsPerEpoch);
    }

    static EpochRecord Row(int epoch, double validation, double test) => new()
    {
        Experiment = "v", Run = Training.RunSpec.Of(100, "masked", "gan_logit", 1, "sgan", Training.RunSpec.LegacyDataset), Epoch = epoch,
        Iterations = epoch, ImagesSeen = epoch, LabeledImagesSeen = epoch, ValidationAccuracy = validation, ValidationLoss = 1 - validation,
        TestAccuracy = test, TestLoss = 1 - test, EpochSeconds = 1,
    };

    [Fact]
    public void Best_validation_picks_the_latest_epoch_of_highest_validation_accuracy_whatever_the_test_accuracy()
    {
        // Validation tied at epochs 2 and 5; the test accuracy is highest elsewhere.
        var rows = new[] { Row(1, 0.80, 0.99), Row(2, 0.90, 0.95), Row(3, 0.85, 0.98), Row(4, 0.88, 0.97), Row(5, 0.90, 0.70), Row(6, 0.85, 0.96) };
        var best = Aggregation.Runs(rows, select: SelectRule.BestValidation).Single();
        Assert.Equal((5, 0.70, 0.90), (best.SelectedEpoch, best.Final, best.SelectedValidation));
        // In any row order.
        Assert.Equal(5, Aggregation.Runs(rows.Reverse(), select: SelectRule.BestValidation).Single().SelectedEpoch);
        var last = Aggregation.Runs(rows, select: SelectRule.Last).Single();
        Assert.Equal((6, 0.96), (last.SelectedEpoch, last.Final));
    }

    [Theory]
    [InlineData("""{ "name": "v", "labels": 100, "seeds": [1], "epochs": 1, "validation": 15 }""", "validation")]
    [InlineData("""{ "name": "v", "labels": 100, "seeds": [1], "epochs": 1, "validation": 59950 }""", "validation")]
    [InlineData("""{ "name": "v", "labels": 100, "seeds": [1], "epochs": 1, "select": "best" }""", "select")]
    [InlineData("""{ "name": "v", "labels": 100, "seeds": [1], "epochs": 1, "select": "best-validation" }""", "select")]
    public void Bad_validation_or_select_values_name_the_field(string json, string field)
    {
        string path = Path.Combine(Synthetic.TempDir(), "e.json");
        File.WriteAllText(path, json);
        var e = Assert.Throws<ConfigException>(() => ExperimentConfig.Load(path));
        Assert.Contains($": {field}: ", e.Message);
    }

    [Fact]
    public void A_run_with_validation_records_it_saves_the_split_and_the_report_states_the_rule()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 600, test: 100);
        string exp = Path.Combine(dir, "v.json");
        File.WriteAllText(exp, """{ "name": "val", "labels": 50, "seeds": [1], "epochs": 2, "batchSize": 50, "sampleCount": 0, "validation": 100, "select": "best-validation" }""");
        string outDir = Path.Combine(dir, "out");
        Assert.Equal(0, CliApp.Run(["run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu"]));

        var rows = EpochCsv.Read(Path.Combine(outDir, "epochs.csv"));
        Assert.Equal(4, rows.Count);
        Assert.All(rows, r => Assert.InRange(r.ValidationAccuracy!.Value, 0, 1));
        var saved = LabeledSplit.LoadIndices(Path.Combine(outDir, "splits", "validation-100-seed-1.csv"));
        Assert.Equal(100, saved.Length);
        Assert.Empty(saved.Intersect(LabeledSplit.LoadIndices(Path.Combine(outDir, "splits", "labels-50-seed-1.csv"))));

        Assert.Equal(0, CliApp.Run(["report", outDir]));
        string report = File.ReadAllText(Path.Combine(outDir, "report.md"));
        Assert.Contains("(`select: best-validation`)", report);
        // Every epoch's confusion counts are kept, each agreeing with that epoch's test accuracy, so the report shows the selected epoch's.
        foreach (var row in rows)
        {
            var m = ConfusionCsv.Read(Path.Combine(outDir, "confusion", row.Run.Id, $"epoch-{row.Epoch}.csv"));
            long correct = 0, total = 0;
            for (int t = 0; t < m.GetLength(0); t++)
                for (int p = 0; p < m.GetLength(1); p++) { total += m[t, p]; if (t == p) correct += m[t, p]; }
            Assert.Equal(row.TestAccuracy!.Value, correct / (double)total, 12);
        }
        Assert.Contains("### Confusion matrices (mean over seeds, each run's selected epoch)", report);
        Assert.DoesNotContain("are of the last epoch", report);
    }

    [Fact]
    public void A_validation_split_a_class_cannot_hold_fails_before_the_output_folder_exists()
    {
        string dir = Synthetic.TempDir();
        string data = Synthetic.WriteFolder(Path.Combine(dir, "data"), train: 600, test: 100);
        string exp = Path.Combine(dir, "v.json");
        // 60 images per class: 10 labeled + 51 held out do not fit.
        File.WriteAllText(exp, """{ "name": "val", "labels": 100, "seeds": [1], "epochs": 1, "batchSize": 50, "validation": 510 }""");
        string outDir = Path.Combine(dir, "out");
        var err = Console.Error;
        var sw = new StringWriter();
        Console.SetError(sw);
        try { Assert.Equal(2, CliApp.Run(["run", exp, "--out", outDir, "--data", data, "--no-verify", "--device", "cpu"])); }
        finally { Console.SetError(err); }
        Assert.Contains("validation:", sw.ToString());
        Assert.Single(sw.ToString().Trim().Split('\n'));
        Assert.False(Directory.Exists(outDir));
    }
}
