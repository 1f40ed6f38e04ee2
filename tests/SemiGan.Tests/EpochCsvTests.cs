using SemiGan.Training;
using SemiGan.Results;

namespace SemiGan.Tests;

public class EpochCsvTests
{
    static EpochRecord Row(int epoch, string model) => new()
    {
        Experiment = "e", Run = Training.RunSpec.Of(1000, "masked", "gan_logit", 2, model, Training.RunSpec.LegacyDataset), Epoch = epoch,
        Iterations = 600L * epoch, ImagesSeen = 60000L * epoch, LabeledImagesSeen = 1000L * epoch,
        TestAccuracy = 0.9123456789012345, TestLoss = 0.1 / 3,
        Losses = model == "sgan" ? LossValues.Of(("supervised", 1e-7), ("unsupervised", 1.25), ("generator", 0.7)) : LossValues.Of(("supervised", 1e-7)),
        EpochSeconds = 61.5, FinishedUtc = new DateTimeOffset(2026, 11, 30, 12, 0, epoch, TimeSpan.Zero),
    };

    [Fact]
    public void Rows_round_trip_exactly_including_nulls_across_appends()
    {
        string path = Path.Combine(Synthetic.TempDir(), "epochs.csv");
        EpochCsv.Append(path, [Row(1, "sgan"), Row(1, "baseline")]);
        EpochCsv.Append(path, [Row(2, "sgan")]);

        Assert.Equal([Row(1, "sgan"), Row(1, "baseline"), Row(2, "sgan")], EpochCsv.Read(path));
        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length); // one header only
        Assert.Equal("run_id,experiment,dataset,method,protocol,head,labels,seed,epoch,iterations,images_seen,labeled_images_seen," +
                     "validation_accuracy,validation_loss,test_accuracy,test_loss,supervised_loss,unsupervised_loss,generator_loss,epoch_seconds,finished_utc", lines[0]);
        Assert.StartsWith("sgan-mnist-masked-gan_logit-labels-1000-seed-2,e,", lines[1]);
        Assert.EndsWith(",61.5,2026-11-30T12:00:01Z", lines[1]);
    }

    [Fact]
    public void A_method_with_a_new_loss_widens_the_header_and_keeps_every_row()
    {
        string path = Path.Combine(Synthetic.TempDir(), "epochs.csv");
        EpochCsv.Append(path, [Row(1, "baseline")]);
        var other = Row(1, "other") with { Losses = LossValues.Of(("supervised", 0.25), ("feature_matching", 3.5)) };
        EpochCsv.Append(path, [other]);
        EpochCsv.Append(path, [Row(2, "baseline")]);

        Assert.Equal([Row(1, "baseline"), other, Row(2, "baseline")], EpochCsv.Read(path));
        Assert.Contains("supervised_loss,feature_matching_loss,epoch_seconds", File.ReadAllLines(path)[0]);
    }

    /// <summary>
    /// A folder's epochs.csv from before the live columns (every committed one): read as it is, appended to in place while no
    /// row has a live accuracy, and widened (atomically, every earlier row kept with empty live cells) by the first row that has one.
    /// </summary>
    [Fact]
    public void A_file_from_before_the_live_columns_keeps_its_bytes_until_a_live_row_widens_it_without_losing_a_row()
    {
        string committed = Path.Combine(RepoRoot.Path, "results", "reference", "claim-1000", "epochs.csv");
        string path = Path.Combine(Synthetic.TempDir(), "epochs.csv");
        File.Copy(committed, path);
        string before = File.ReadAllText(path);
        Assert.DoesNotContain("live_", before.Split('\n')[0]);
        var old = EpochCsv.Read(path);
        Assert.True(old.Count > 100);
        Assert.All(old, r => Assert.Null(r.LiveTestAccuracy));

        // A resumed run of a method without averaged weights: the header and every earlier byte stay.
        var plain = old[^1] with { Epoch = old[^1].Epoch + 1 };
        EpochCsv.Append(path, [plain]);
        string appended = File.ReadAllText(path);
        Assert.StartsWith(before, appended);
        Assert.Equal([.. old, plain], EpochCsv.Read(path));

        // A resumed run with averaged weights: the file gains the two columns, nothing else changes.
        var live = plain with { Epoch = plain.Epoch + 1, LiveValidationAccuracy = 0.5, LiveTestAccuracy = 0.25 };
        EpochCsv.Append(path, [live]);
        Assert.Equal([.. old, plain, live], EpochCsv.Read(path));
        var lines = File.ReadAllLines(path);
        Assert.Contains(",test_accuracy,test_loss,live_validation_accuracy,live_test_accuracy,", lines[0]);
        Assert.Equal(before.Split('\n')[0].TrimEnd('\r').Replace(",test_loss,", ",test_loss,live_validation_accuracy,live_test_accuracy,"), lines[0]);
        Assert.Equal(old.Count + 3, lines.Length);
        Assert.Contains(",0.5,0.25,", lines[^1]);
    }

    [Fact]
    public void Files_from_before_the_method_dataset_and_validation_columns_are_read()
    {
        string path = Path.Combine(Synthetic.TempDir(), "epochs.csv");
        File.WriteAllText(path,
            "experiment,model,protocol,head,labels,seed,epoch,iterations,images_seen,labeled_images_seen,test_accuracy,test_loss,supervised_loss,unsupervised_loss,generator_loss,epoch_seconds\n" +
            "e,sgan,masked,gan_logit,1000,2,1,600,60000,1000,0.9123456789012345,0.03333333333333333,1E-07,1.25,0.7,61.5\n" +
            "e,baseline,masked,gan_logit,1000,2,1,600,60000,1000,0.9123456789012345,0.03333333333333333,1E-07,,,61.5\n");
        Assert.Equal([Row(1, "sgan").Untimed() with { EpochSeconds = 61.5 }, Row(1, "baseline").Untimed() with { EpochSeconds = 61.5 }], EpochCsv.Read(path));
        // Appending to such a file rewrites it with the current header first, keeping its rows.
        EpochCsv.Append(path, [Row(2, "sgan")]);
        Assert.StartsWith("run_id,", File.ReadAllLines(path)[0]);
        Assert.Equal(3, EpochCsv.Read(path).Count);
    }

    [Fact]
    public void An_unknown_protocol_or_head_is_refused_on_reading_naming_the_file()
    {
        string dir = Synthetic.TempDir(), epochs = Path.Combine(dir, "epochs.csv"), runs = Path.Combine(dir, "runs.csv");
        EpochCsv.Append(epochs, [Row(1, "sgan")]);
        File.WriteAllText(epochs, File.ReadAllText(epochs).Replace(",masked,", ",mixed,"));
        var e = Assert.Throws<Data.DataException>(() => EpochCsv.Read(epochs));
        Assert.Contains(epochs, e.Message);
        Assert.Contains("'mixed'", e.Message);

        RunStatusCsv.Append(runs, new RunStatus { RunId = Row(1, "sgan").Run.Id, Run = Row(1, "sgan").Run, Status = RunStatus.Finished, Epoch = 1 });
        Assert.Equal(Row(1, "sgan").Run, RunStatusCsv.Read(runs).Single().Run);
        File.WriteAllText(runs, File.ReadAllText(runs).Replace(",gan_logit,", ",logit,"));
        var r = Assert.Throws<Data.DataException>(() => RunStatusCsv.Read(runs));
        Assert.Contains(runs + ": unreadable at line 2", r.Message);
        Assert.Contains("'logit'", r.Message);
    }
}
