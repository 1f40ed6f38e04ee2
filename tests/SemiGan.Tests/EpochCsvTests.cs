using SemiGan.Results;

namespace SemiGan.Tests;

public class EpochCsvTests
{
    static EpochRecord Row(int epoch, string model) => new()
    {
        Experiment = "e", Model = model, Protocol = "masked", Head = "gan_logit", Labels = 1000, Seed = 2, Epoch = epoch,
        Iterations = 600L * epoch, ImagesSeen = 60000L * epoch, LabeledImagesSeen = 1000L * epoch,
        TestAccuracy = 0.9123456789012345, TestLoss = 0.1 / 3, SupervisedLoss = 1e-7,
        UnsupervisedLoss = model == "sgan" ? 1.25 : null, GeneratorLoss = model == "sgan" ? 0.7 : null, EpochSeconds = 61.5,
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
        Assert.StartsWith("experiment,model,protocol,head,labels,seed,epoch,iterations,images_seen", lines[0]);
    }
}
