using SemiGan.Kernels;
using SemiGan.Training;
using System.Diagnostics;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Results;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Experiments;

/// <summary>Where a run stands, for progress bars: steps done of the experiment's total, and what is training now.</summary>
public sealed record RunProgress(long StepsDone, long StepsTotal, string Current);

/// <summary>
/// Runs an experiment's grid (<see cref="ExperimentConfig.Runs"/>): for every run, trains the model for the
/// configured epochs, evaluates on the whole test set after each epoch and appends one CSV row. Also
/// writes the resolved config, every labeled split, learning-curve charts, each final model's confusion
/// matrix, its networks (models/) and generator samples.
/// </summary>
public sealed class ExperimentRunner(ExperimentConfig config, ImageDataset data, RunOutput output, Device device)
{
    public Action<RunProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }
    /// <summary>Gets sample grids and ended runs, to draw them (the runner draws nothing itself).</summary>
    public IRunObserver? Observer { get; init; }

    int TrainCount => config.TrainLimit > 0 ? Math.Min(config.TrainLimit, data.TrainCount) : data.TrainCount;

    /// <summary>Which part of the grid this process runs: shard <c>Index</c> (1-based) of <c>Count</c>.</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>Which implementation trains (see <see cref="FastPathCheck"/>), and the check behind it, recorded in run-info.json.</summary>
    public FastPathChoice FastPath { get; init; } = new(Implementation.Fast, null);

    Implementation Impl => FastPath.Implementation;

    /// <summary>
    /// Runs this shard's part of the grid. In a folder that already holds this experiment, finished and
    /// diverged runs are skipped and an unfinished run continues from its last checkpoint; its CSV rows
    /// past that checkpoint are dropped first, so no row is ever duplicated.
    /// </summary>
    public IReadOnlyList<EpochRecord> Run()
    {
        var clock = Stopwatch.StartNew();
        NativeAllocator.KeepFreedMemory();
        byte[] labelsHost = data.TrainLabelsHost[..TrainCount];
        // Every split is drawn before anything is written, so an impossible one fails cleanly.
        var (splits, validation) = Splits(config, labelsHost);
        var runs = Shard.Select(config.Runs().ToList());
        var ended = RunStatusCsv.Read(output.RunsCsv).Select(r => r.Run).ToHashSet();
        var todo = runs.Where(r => !ended.Contains(r)).ToList();
        if (ended.Count > 0) Log?.Invoke($"resuming: {runs.Count - todo.Count} of {runs.Count} runs already ended");

        output.WriteConfig(config);
        if (!File.Exists(output.RunsCsv)) RunStatusCsv.Rewrite(output.RunsCsv, []); // its presence marks a resumable folder
        foreach (var ((n, s), split) in splits) split.Save(output.SplitPath(n, s), labelsHost);
        foreach (var (s, split) in validation) split.Save(output.ValidationSplitPath(config.Validation, s), labelsHost);
        var rows = DropRowsPastCheckpoints(todo);

        var images = data.TrainImages.narrow(0, 0, TrainCount).to(device);
        var labels = data.TrainLabels.narrow(0, 0, TrainCount).to(device);
        var testImages = data.TestImages.to(device);
        var testLabels = data.TestLabels.to(device);

        BatchSchedule ScheduleOf(RunSpec r) => Schedule(r, splits[(r.Labels, r.Seed)], validation.GetValueOrDefault(r.Seed));
        long total = todo.Sum(r => (long)ScheduleOf(r).StepsPerEpoch * config.Epochs), done = 0;
        foreach (var run in todo)
        {
            var schedule = ScheduleOf(run);
            (Tensor Images, Tensor Labels)? held = validation.GetValueOrDefault(run.Seed) is { } v ? Held(v) : null;
            string what = $"{run.Method} labels {run.Labels} seed {run.Seed}";
            Log?.Invoke($"training {run.Id}: {schedule.StepsPerEpoch} steps/epoch x {config.Epochs} epochs");
            void Tick() => Progress?.Invoke(new RunProgress(++done, total, what));
            var context = new RunContext(run, schedule, images, labels, held?.Images, held?.Labels, testImages, testLabels, Tick);
            rows.AddRange(Train(context));
            Observer?.RunEnded(run, rows);
        }
        output.WriteRunInfo(config, device, clock.Elapsed, Shard, FastPath);
        return rows;

        (Tensor Images, Tensor Labels) Held(LabeledSplit v)
        {
            var idx = tensor(v.Indices.Select(i => (long)i).ToArray(), device: images.device);
            return (images.index_select(0, idx), labels.index_select(0, idx));
        }
    }

    /// <summary>
    /// The labeled split per (label count, seed) and the validation split per seed (none without one): a
    /// function of (seed, counts) and the training labels only. Throws <see cref="ArgumentException"/>,
    /// naming the field, when a class cannot hold them.
    /// </summary>
    public static (Dictionary<(int Labels, int Seed), LabeledSplit> Labeled, Dictionary<int, LabeledSplit> Validation) Splits(ExperimentConfig config, byte[] trainLabels)
    {
        int classes = Datasets.Get(config.Dataset).Classes;
        if (config.Validation > 0) LabeledSplit.CheckDisjoint(trainLabels, config.Labels.Max(), config.Validation, classes);
        var labeled = (from n in config.Labels from s in config.Seeds select (n, s))
            .ToDictionary(k => k, k => LabeledSplit.Create(trainLabels, k.n, k.s, classes));
        var validation = config.Validation == 0 ? [] : config.Seeds.ToDictionary(s => s, s => LabeledSplit.CreateValidation(trainLabels, config.Validation, s, classes));
        return (labeled, validation);
    }

    /// <summary>Keeps, for each unfinished run, only the rows its checkpoint covers (none without one); rewrites the CSV atomically if that changes it.</summary>
    List<EpochRecord> DropRowsPastCheckpoints(List<RunSpec> unfinished)
    {
        if (!File.Exists(output.EpochsCsv)) return [];
        var all = EpochCsv.Read(output.EpochsCsv); // a torn last line is already gone
        var keepUpTo = unfinished.ToDictionary(r => r.Id, r => new Checkpoint(output.CheckpointFolder(r)).LatestEpoch() ?? 0);
        var kept = all.Where(row => !keepUpTo.TryGetValue(row.Run.Id, out int upTo) || row.Epoch <= upTo).ToList();
        if (kept.Count != all.Count || File.ReadAllText(output.EpochsCsv) is var text && !text.EndsWith('\n'))
        {
            if (kept.Count != all.Count) Log?.Invoke($"dropping {all.Count - kept.Count} CSV rows past the last checkpoints");
            EpochCsv.Rewrite(output.EpochsCsv, kept);
        }
        return kept;
    }


    sealed record RunContext(RunSpec Run, BatchSchedule Schedule, Tensor Images, Tensor Labels, Tensor? ValidationImages, Tensor? ValidationLabels,
        Tensor TestImages, Tensor TestLabels, Action Tick);

    BatchSchedule Schedule(RunSpec run, LabeledSplit split, LabeledSplit? validation) =>
        new(run.Protocol, TrainCount, split.Indices, config.LabeledInUnlabeledPool, config.BatchSize, run.Seed,
            config.ValidationInUnlabeledPool ? null : validation?.Indices);

    /// <summary>One run: its method builds the networks (same classifier weights for every method at a seed), then epochs.</summary>
    List<EpochRecord> Train(RunContext c)
    {
        using var method = config.MethodOf(c.Run.Method).Start(new MethodContext(c.Run, config.SettingsOf(c.Run.Method), ImageShape.Of(data.Descriptor), device, Impl));
        bool everyEpoch = c.Run.Seed == config.Seeds[0]; // one run per variant keeps a sample grid per epoch
        void AfterEpoch(int epoch)
        {
            if (Observer is null || !(everyEpoch || epoch == config.Epochs) || method.Samples() is not { } pixels) return;
            var (h, w) = (data.Descriptor.Height, data.Descriptor.Width);
            if (everyEpoch) Observer.Samples(c.Run, epoch, final: false, pixels, config.SampleCount, h, w);
            if (epoch == config.Epochs) Observer.Samples(c.Run, epoch, final: true, pixels, config.SampleCount, h, w);
        }
        return TrainLoop(c, method, e => method.Train(c.Schedule.Data(e, c.Images, c.Labels, c.Tick)), AfterEpoch);
    }

    List<EpochRecord> TrainLoop(RunContext c, MethodRun trainer, Func<int, EpochLosses> trainEpoch, Action<int> afterEpoch)
    {
        var d = trainer.Classifier;
        var rows = new List<EpochRecord>();
        var checkpoint = new Checkpoint(output.CheckpointFolder(c.Run));
        var resumed = checkpoint.TryRestore(trainer);
        long iterations = resumed?.Iterations ?? 0, seen = resumed?.ImagesSeen ?? 0, labeledSeen = resumed?.LabeledImagesSeen ?? 0;
        if (resumed is not null) Log?.Invoke($"{c.Run.Id}: resumed after epoch {resumed.Epoch}");
        for (int epoch = (resumed?.Epoch ?? 0) + 1; epoch <= config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var losses = trainEpoch(epoch);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            double acc, loss; double? valAcc, valLoss;
            using (trainer.Evaluated())
            {
                (acc, loss) = Evaluator.Evaluate(d, c.TestImages, c.TestLabels, config.EvalBatchSize, device);
                (valAcc, valLoss) = c.ValidationImages is null ? ((double?)null, (double?)null)
                    : Evaluator.Evaluate(d, c.ValidationImages, c.ValidationLabels!, config.EvalBatchSize, device);
            }
            iterations += losses.Steps; seen += losses.RealImages; labeledSeen += losses.LabeledImages;
            var row = new EpochRecord
            {
                Experiment = config.Name, Dataset = config.Dataset, Method = c.Run.Method, Protocol = c.Run.Protocol.Name(), Head = c.Run.Head.Name(),
                Labels = c.Run.Labels, Seed = c.Run.Seed, Epoch = epoch,
                Iterations = iterations, ImagesSeen = seen, LabeledImagesSeen = labeledSeen,
                ValidationAccuracy = valAcc, ValidationLoss = valLoss,
                TestAccuracy = acc, TestLoss = loss,
                Losses = losses.Losses,
                EpochSeconds = trainSeconds,
                FinishedUtc = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()), // whole seconds, as the CSV holds it
            };
            // Row first, checkpoint second: a crash in between re-runs this epoch from the previous
            // checkpoint, and the resume drops this row before writing it again.
            EpochCsv.Append(output.EpochsCsv, [row]);
            rows.Add(row);
            string validationText = valAcc is { } va ? $"validation accuracy {va:P2}, " : "";
            // With averaged weights, the live ones' accuracy too, in the log only (a diagnostic: the average lags early on).
            if (trainer.Averaged) validationText = $"live weights' test accuracy {Evaluator.Evaluate(d, c.TestImages, c.TestLabels, config.EvalBatchSize, device).Accuracy:P2}, averaged weights' " + validationText;
            Log?.Invoke($"{c.Run.Id} epoch {epoch}/{config.Epochs}: {validationText}test accuracy {acc:P2}, test loss {loss:F4}, {trainSeconds:F1} s, {Memory.Describe()}");
            if (losses.NonFinite() is { } bad)
            {
                Log?.Invoke($"{c.Run.Id} diverged at epoch {epoch}: {bad}; going on with the next run");
                End(c.Run, RunStatus.Diverged, epoch, bad, checkpoint, trainer);
                Observer?.Epoch(c.Run, row);
                return rows;
            }
            afterEpoch(epoch);
            checkpoint.Save(new CheckpointMeta(c.Run.Id, epoch, iterations, seen, labeledSeen), trainer);
            Observer?.Epoch(c.Run, row); // only now: a crash before the checkpoint re-runs this epoch
        }
        // The final model's confusion matrix, for the report (reported, never used to choose anything).
        using (trainer.Evaluated())
            ConfusionCsv.Write(output.ConfusionPath(c.Run), Evaluator.Confusion(d, c.TestImages, c.TestLabels, config.EvalBatchSize, device));
        End(c.Run, RunStatus.Finished, config.Epochs, "", checkpoint, trainer);
        return rows;
    }

    /// <summary>Saves the run's final networks, records how it ended, then drops its checkpoint.</summary>
    void End(RunSpec run, string status, int epoch, string detail, Checkpoint checkpoint, MethodRun trainer)
    {
        // Before runs.csv: a run recorded as ended always has its model (a crash in between only re-saves it on resume).
        SavedModel.Save(output.ModelFolder(run), new SavedModelInfo
        {
            RunId = run.Id, Status = status, Epoch = epoch, Implementation = Impl.ToString().ToLowerInvariant(),
        }, trainer);
        RunStatusCsv.Append(output.RunsCsv, new RunStatus
        {
            RunId = run.Id, Dataset = run.Dataset, Method = run.Method, Protocol = run.Protocol.Name(), Head = run.Head.Name(), Labels = run.Labels, Seed = run.Seed,
            Status = status, Epoch = epoch, Detail = detail,
        });
        checkpoint.Delete(); // an ended run is never resumed; its checkpoint would only take space
    }
}
