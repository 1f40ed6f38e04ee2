using SemiGan.Experiments;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Tests;

/// <summary>Short real training runs on a few hundred synthetic images: both models must learn, and the run must write its files.</summary>
public class TrainingSmokeTests
{
    static ExperimentConfig Config(string protocol = "masked", string head = "gan_logit") => new ExperimentConfig
    {
        Name = "smoke", Labels = [100], Seeds = [1], Epochs = 3, Protocol = [protocol], Head = [head],
        BatchSize = 50, LearningRate = 2e-3, SampleCount = 16, EvalBatchSize = 100,
    }.Validated();

    [Theory]
    [InlineData("masked", "gan_logit")]
    [InlineData("streams", "softmax11")]
    public void Both_models_beat_chance_and_the_run_writes_every_artifact(string protocol, string head)
    {
        using var data = Synthetic.Dataset(train: 400, test: 200);
        var cfg = Config(protocol, head);
        var output = RunOutput.Open(Path.Combine(Synthetic.TempDir(), "run"), cfg);

        var rows = new ExperimentRunner(cfg, data, output, CPU) { Observer = new Reports.RunArtifacts(output) }.Run();

        Assert.Equal(2 * 3, rows.Count); // 2 models x 1 seed x 3 epochs
        foreach (var model in new[] { "sgan", "baseline" })
        {
            var last = rows.Where(r => r.Run.Method == model).MaxBy(r => r.Epoch)!;
            Assert.True(last.TestAccuracy > 0.3, $"{model} {protocol}: final accuracy {last.TestAccuracy:P1} is not above chance (10%)");
            Assert.True(double.IsFinite(last.TestLoss!.Value));
        }
        var sgan = rows.Where(r => r.Run.Method == "sgan").ToList();
        Assert.All(sgan, r => { Assert.NotNull(r.Losses["unsupervised"]); Assert.NotNull(r.Losses["generator"]); });
        Assert.All(rows.Where(r => r.Run.Method == "baseline"), r => Assert.Equal(["supervised"], r.Losses.Names));
        Assert.Equal(new long[] { 8, 16, 24 }, sgan.Select(r => r.Iterations)); // 400 / 50 steps per epoch
        Assert.Equal(new long[] { 400, 800, 1200 }, sgan.Select(r => r.ImagesSeen));

        Assert.Equal(rows, EpochCsv.Read(output.EpochsCsv));
        Assert.Equal(cfg.ToJson(), ExperimentConfig.Load(output.ConfigPath).ToJson());
        Assert.Equal(LabeledSplit.Create(data.TrainLabelsHost, 100, 1).Indices, LabeledSplit.LoadIndices(output.SplitPath(100, 1)));
        var sganRun = RunSpec.Of(100, protocol, head, 1, "sgan", "mnist");
        foreach (var f in new[] { output.ChartPng(100), output.ChartSvg(100), output.SamplesPath(sganRun), output.SamplesPath(sganRun, 2), output.RunInfoPath })
            Assert.True(new FileInfo(f).Length > 0, f);
        foreach (var model in new[] { "sgan", "baseline" })
        {
            var confusion = ConfusionCsv.Read(output.ConfusionPath(sganRun with { Method = model }));
            long total = 0, correct = 0;
            for (int i = 0; i < 10; i++) for (int j = 0; j < 10; j++) { total += confusion[i, j]; if (i == j) correct += confusion[i, j]; }
            Assert.Equal(200, total); // every test image, once
            Assert.Equal(rows.Where(r => r.Run.Method == model).MaxBy(r => r.Epoch)!.TestAccuracy!.Value, correct / 200.0, 9);
        }
    }

    [Fact]
    public void Same_seed_gives_identical_rows_apart_from_timing()
    {
        using var data = Synthetic.Dataset(train: 200, test: 100);
        var cfg = Config() with { Epochs = 1, BatchSize = 40 };
        List<EpochRecord> Once() =>
            new ExperimentRunner(cfg, data, RunOutput.Open(Path.Combine(Synthetic.TempDir(), "r"), cfg), CPU).Run()
                .Select(r => r.Untimed()).ToList();
        Assert.Equal(Once(), Once());
    }
}
