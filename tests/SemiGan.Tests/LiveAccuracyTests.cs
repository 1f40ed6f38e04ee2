using SemiGan.Config;
using SemiGan.Experiments;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Methods evaluated on averaged weights log the live weights' validation and test accuracy beside the averaged ones.</summary>
public class LiveAccuracyTests
{
    [Fact]
    public void A_one_epoch_run_logs_live_and_averaged_accuracy_for_every_method_with_averaged_weights()
    {
        using var data = Synthetic.Dataset(train: 400, test: 200);
        var cfg = new ExperimentConfig
        {
            Name = "live", Labels = [100], Seeds = [1], Epochs = 1, BatchSize = 50, SampleCount = 0, Validation = 100, Protocol = ["streams"],
            Methods = ["sgan", "supervised", "fm-gan", "mean-teacher", "fixmatch"],
            MethodSettings = new() { ["supervised"] = new MethodOptions { Ema = 0.01 } },
        }.Validated();
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);

        new ExperimentRunner(cfg, data, output, CPU).Run();

        string header = File.ReadLines(output.EpochsCsv).First();
        Assert.Contains(",test_accuracy,test_loss,live_validation_accuracy,live_test_accuracy,", header);
        var rows = EpochCsv.Read(output.EpochsCsv).ToDictionary(r => r.Run.Method);
        Assert.Equal(5, rows.Count);
        Assert.Null(rows["sgan"].LiveValidationAccuracy); // no averaged weights: the columns above are its live ones
        Assert.Null(rows["sgan"].LiveTestAccuracy);
        bool anyDiffers = false;
        foreach (var m in new[] { "supervised", "fm-gan", "mean-teacher", "fixmatch" })
        {
            var row = rows[m];
            Assert.NotNull(row.LiveValidationAccuracy);
            Assert.NotNull(row.LiveTestAccuracy);
            // The saved networks (after this, the last, epoch) evaluated as they are, and with the average swapped in.
            var info = SavedModel.TryRead(output.ModelFolder(row.Run))!;
            using var method = cfg.MethodOf(m).Start(new MethodContext(row.Run, cfg.SettingsOf(m), ImageShape.Of(data.Descriptor), CPU, info.ImplementationKind));
            SavedModel.Load(output.ModelFolder(row.Run), info, method);
            Assert.True(method.Averaged, m);
            var live = Evaluator.Evaluate(method.Classifier, data.TestImages, data.TestLabels, cfg.EvalBatchSize, CPU);
            Assert.Equal(row.LiveTestAccuracy, live.Accuracy);
            using (method.Evaluated())
                Assert.Equal(row.TestAccuracy, Evaluator.Evaluate(method.Classifier, data.TestImages, data.TestLabels, cfg.EvalBatchSize, CPU).Accuracy);
            anyDiffers |= row.LiveTestAccuracy != row.TestAccuracy || row.LiveValidationAccuracy != row.ValidationAccuracy;
        }
        Assert.True(anyDiffers, "after one epoch some average must still lag its live weights, or the columns show nothing");
    }
}
