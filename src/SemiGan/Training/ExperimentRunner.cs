using System.Diagnostics;
using System.Text.Json;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Models;
using SemiGan.Reports;
using SemiGan.Results;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Training;

/// <summary>Where a run stands, for progress bars: steps done of the run's total, and what is training now.</summary>
public sealed record RunProgress(long StepsDone, long StepsTotal, string Current);

/// <summary>
/// Runs one experiment: for each seed, the labeled split, then each model (SGAN and/or baseline) for the
/// configured epochs, evaluating on the whole test set after every epoch and appending one CSV row per
/// model x seed x epoch. Writes the resolved config, the splits, the chart and generator samples.
/// </summary>
public sealed class ExperimentRunner(ExperimentConfig config, MnistDataset data, RunOutput output, Device device)
{
    public Action<RunProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }

    public IReadOnlyList<EpochRecord> Run()
    {
        var clock = Stopwatch.StartNew();
        output.WriteConfig(config);
        int trainCount = config.TrainLimit > 0 ? Math.Min(config.TrainLimit, data.TrainCount) : data.TrainCount;
        var images = data.TrainImages.narrow(0, 0, trainCount);
        var labels = data.TrainLabels.narrow(0, 0, trainCount);
        var testImages = data.TestImages.to(device);
        var testLabels = data.TestLabels.to(device);
        if (device.type != DeviceType.CPU) { images = images.to(device); labels = labels.to(device); }
        byte[] labelsHost = data.TrainLabelsHost[..trainCount];

        var rows = new List<EpochRecord>();
        long done = 0, total = 0;
        foreach (int seed in config.Seeds)
            total += (long)Schedule(LabeledSplit.Create(labelsHost, config.Labels, seed), seed, trainCount).StepsPerEpoch
                     * config.Epochs * config.Models.Length;

        foreach (int seed in config.Seeds)
        {
            var split = LabeledSplit.Create(labelsHost, config.Labels, seed);
            split.Save(output.SplitPath(config.Labels, seed), labelsHost);
            var schedule = Schedule(split, seed, trainCount);
            foreach (string model in config.Models)
            {
                string what = $"{model} seed {seed}";
                Log?.Invoke($"training {what}: {schedule.StepsPerEpoch} steps/epoch x {config.Epochs} epochs");
                void Tick() => Progress?.Invoke(new RunProgress(++done, total, what));
                var modelRows = model == "sgan"
                    ? RunSgan(seed, schedule, images, labels, testImages, testLabels, Tick)
                    : RunBaseline(seed, schedule, images, labels, testImages, testLabels, Tick);
                rows.AddRange(modelRows);
            }
            output.WriteAccuracyChart(rows, config);
        }
        output.WriteRunInfo(config, device, clock.Elapsed);
        return rows;
    }

    BatchSchedule Schedule(LabeledSplit split, int seed, int trainCount) =>
        new(config.Protocol, trainCount, split.Indices, config.LabeledInUnlabeledPool, config.BatchSize, seed);

    List<EpochRecord> RunSgan(int seed, BatchSchedule schedule, Tensor images, Tensor labels, Tensor testImages, Tensor testLabels, Action tick)
    {
        torch.random.manual_seed(seed); // same initial discriminator weights as the baseline of this seed
        using var d = new Discriminator(config.HeadKind, config.Dropout);
        using var g = new Models.Generator(config.LatentDim);
        d.to(device); g.to(device);
        using var trainer = new SganTrainer(d, g, config.HeadKind, config.LearningRate, config.Beta1, config.Beta2, device);
        var rows = TrainLoop("sgan", seed, schedule, d, e => trainer.TrainEpoch(schedule.Epoch(e), images, labels, tick), testImages, testLabels);
        if (config.SampleCount > 0)
        {
            using var z = randn(config.SampleCount, config.LatentDim, generator: new torch.Generator((ulong)seed));
            SampleGrid.WritePng(trainer.Sample(z), config.SampleCount, 28, 28, (int)Math.Ceiling(Math.Sqrt(config.SampleCount)),
                output.SamplesPath(seed));
        }
        return rows;
    }

    List<EpochRecord> RunBaseline(int seed, BatchSchedule schedule, Tensor images, Tensor labels, Tensor testImages, Tensor testLabels, Action tick)
    {
        torch.random.manual_seed(seed);
        using var d = new Discriminator(config.HeadKind, config.Dropout);
        d.to(device);
        using var trainer = new BaselineTrainer(d, config.LearningRate, config.Beta1, config.Beta2, device);
        return TrainLoop("baseline", seed, schedule, d, e => trainer.TrainEpoch(schedule.Epoch(e), images, labels, tick), testImages, testLabels);
    }

    List<EpochRecord> TrainLoop(string model, int seed, BatchSchedule schedule, Discriminator d, Func<int, EpochLosses> trainEpoch,
        Tensor testImages, Tensor testLabels)
    {
        var rows = new List<EpochRecord>();
        long iterations = 0, seen = 0, labeledSeen = 0;
        for (int epoch = 1; epoch <= config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var losses = trainEpoch(epoch);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            var (acc, loss) = Evaluator.Evaluate(d, testImages, testLabels, config.EvalBatchSize, device);
            iterations += losses.Steps; seen += losses.RealImages; labeledSeen += losses.LabeledImages;
            var row = new EpochRecord
            {
                Experiment = config.Name, Model = model, Protocol = config.Protocol, Head = config.Head,
                Labels = config.Labels, Seed = seed, Epoch = epoch,
                Iterations = iterations, ImagesSeen = seen, LabeledImagesSeen = labeledSeen,
                TestAccuracy = acc, TestLoss = loss,
                SupervisedLoss = losses.Supervised, UnsupervisedLoss = losses.Unsupervised, GeneratorLoss = losses.Generator,
                EpochSeconds = trainSeconds,
            };
            EpochCsv.Append(output.EpochsCsv, [row]);
            rows.Add(row);
            Log?.Invoke($"{model} seed {seed} epoch {epoch}/{config.Epochs}: test accuracy {acc:P2}, test loss {loss:F4}, {trainSeconds:F1} s");
        }
        return rows;
    }
}
