using SemiGan.Kernels;
using SemiGan.Training;
using System.Diagnostics;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Methods;
using SemiGan.Models;
using SemiGan.Reports;
using SemiGan.Results;
using TorchSharp;
using static TorchSharp.torch;

namespace SemiGan.Experiments;

/// <summary>Where a run stands, for progress bars: steps done of the experiment's total, and what is training now.</summary>
public sealed record RunProgress(long StepsDone, long StepsTotal, string Current);

/// <summary>
/// Runs an experiment's grid (<see cref="ExperimentConfig.Runs"/>): for every run, trains the model for the
/// configured epochs, evaluates on the whole test set after each epoch and appends one CSV row. Also
/// writes the resolved config, every labeled split, learning-curve charts, each last-epoch model's confusion
/// matrix, its networks (models/) and generator samples.
/// </summary>
public sealed class ExperimentRunner(ExperimentConfig config, ImageDataset data, RunOutput output, Device device)
{
    public Action<RunProgress>? Progress { get; init; }
    public Action<string>? Log { get; init; }

    /// <summary>Relative step costs by method (a bench file's), for the time left before a method has trained an epoch; null: none.</summary>
    public IReadOnlyDictionary<string, double>? StepCostPrior { get; init; }
    /// <summary>Gets sample grids and ended runs, to draw them (the runner draws nothing itself).</summary>
    public IRunObserver? Observer { get; init; }

    int TrainCount => config.TrainLimit > 0 ? Math.Min(config.TrainLimit, data.TrainCount) : data.TrainCount;

    /// <summary>Which part of the grid this process runs: shard <c>Index</c> (1-based) of <c>Count</c>.</summary>
    public Shard Shard { get; init; } = Shard.All;

    /// <summary>Which implementation trains (see <see cref="FastPathCheck"/>), and the check behind it, recorded in run-info.json.</summary>
    public FastPathChoice FastPath { get; init; } = new(Implementation.Fast, null);

    Implementation Impl => FastPath.Implementation;

    /// <summary>This process's share of the machine's cores (re-checked between steps), or null to leave torch's thread count alone.</summary>
    public CoreShare? Cores { get; init; }

    /// <summary>The torch thread counts each run trained at, for run-info.json (a run whose count changed may round differently).</summary>
    readonly Dictionary<string, int[]> threadsByRun = [];

    /// <summary>
    /// Runs of the grid to train again from scratch (--restart-run, as <see cref="RestartRunsOf"/> gives them): their checkpoint
    /// and CSV rows are dropped first. Each must not have ended; runs outside this shard are ignored.
    /// </summary>
    public IReadOnlyCollection<RunSpec> Restart { get; init; } = [];

    /// <summary>The splits to train on, drawn and checked already (<see cref="CheckedSplits"/>); null: drawn here from the data's labels.</summary>
    public SplitSet? Splits { get; init; }

    /// <summary>Log what every this many optimizer steps moved, per run, in diagnostics/ (<see cref="StepDiagnostics"/>); 0: off.</summary>
    public int DiagnosticsEvery { get; init; }

    /// <summary>Called once every check has passed, before the runner writes anything (the CLI records the invocation in run-info.json then).</summary>
    public Action? Starting { get; init; }

    /// <summary>
    /// Runs this shard's part of the grid. In a folder that already holds this experiment, finished and
    /// diverged runs are skipped and an unfinished run continues from its last checkpoint; its CSV rows
    /// past that checkpoint are dropped first, so no row is ever duplicated. Every unfinished run's
    /// checkpoint is checked before anything is written: a damaged one falls back to the previous intact
    /// checkpoint (one log line); with none left, a <see cref="DataException"/> names the run and
    /// <see cref="Restart"/> (--restart-run).
    /// </summary>
    public IReadOnlyList<EpochRecord> Run()
    {
        var clock = Stopwatch.StartNew();
        NativeAllocator.KeepFreedMemory();
        byte[] labelsHost = data.TrainLabelsHost[..TrainCount];
        // Every split is drawn before anything is written, so an impossible one fails cleanly.
        var (splits, validation) = Splits ?? DrawSplits(config, labelsHost);
        var runs = Shard.Select(config.Runs().ToList());
        var statuses = RunStatusCsv.Read(output.RunsCsv);
        var ended = statuses.Select(r => r.Run).ToHashSet();
        var todo = runs.Where(r => !ended.Contains(r)).ToList();
        if (ended.Count > 0) Log?.Invoke($"resuming: {runs.Count - todo.Count} of {runs.Count} runs already ended");
        var restart = runs.Where(Restart.Contains).ToList();
        // The folder as it is now, under its lock: a restart run that ended since the caller's check is refused too.
        RefuseEnded(restart, statuses, output);
        // Where each unfinished run resumes, checked before anything is written.
        var resume = todo.Where(r => !restart.Contains(r)).ToDictionary(r => r.Id, ResumePoint);
        var written = File.Exists(output.EpochsCsv) ? EpochCsv.Read(output.EpochsCsv) : null; // a torn last line is already gone

        Starting?.Invoke();
        output.WriteConfig(config);
        if (!File.Exists(output.RunsCsv)) RunStatusCsv.Rewrite(output.RunsCsv, []); // its presence marks a resumable folder
        foreach (var ((n, s), split) in splits) split.Save(output.SplitPath(n, s), labelsHost);
        foreach (var (s, split) in validation) split.Save(output.ValidationSplitPath(config.Validation, s), labelsHost);
        // Checkpoint first, rows second: a crash in between leaves no checkpoint, and the next resume drops the rows.
        foreach (var run in restart)
        {
            Log?.Invoke($"{run.Id}: restarting from scratch (--restart-run): its checkpoint and CSV rows are dropped");
            if (Directory.Exists(output.SelectedModelFolder(run))) Directory.Delete(output.SelectedModelFolder(run), true);
            new Checkpoint(output.CheckpointFolder(run)).Delete();
        }
        var rows = DropRowsPastCheckpoints(written, todo.ToDictionary(r => r.Id, r => resume.GetValueOrDefault(r.Id)?.Meta.Epoch ?? 0));

        var images = data.TrainImages.narrow(0, 0, TrainCount).to(device);
        var labels = data.TrainLabels.narrow(0, 0, TrainCount).to(device);
        // Without evaluateTest the test tensors are never even moved to the device: nothing below can read them.
        var test = config.EvaluateTest ? new TestSet(data.TestImages.to(device), data.TestLabels.to(device)) : null;

        BatchSchedule ScheduleOf(RunSpec r) => Schedule(r, splits[(r.Labels, r.Seed)], validation.GetValueOrDefault(r.Seed));
        long total = todo.Sum(r => (long)ScheduleOf(r).StepsPerEpoch * config.Epochs), done = 0;
        // "run k/N" counts this shard's grid, ended runs included; the ETA weighs what is left by each method's measured step cost.
        int before = runs.Count - todo.Count;
        var eta = new Eta { Prior = StepCostPrior };
        // Epochs already in the folder (a resume) are measured costs too: without them a resumed grid would price its
        // remaining GAN runs at the supervised runs' cost until a GAN epoch ends in this process.
        foreach (var row in written ?? [])
            if (splits.ContainsKey((row.Run.Labels, row.Run.Seed)) && config.Methods.Contains(row.Run.Method))
                eta.Record(config.MethodOf(row.Run.Method).Name, ScheduleOf(row.Run).StepsPerEpoch, row.EpochSeconds);
        for (int index = 0; index < todo.Count; index++)
        {
            var run = todo[index];
            int k = before + index + 1;
            string EpochProgress(int epoch, long steps, double seconds)
            {
                eta.Record(config.MethodOf(run.Method).Name, steps, seconds);
                var left = todo.Skip(index + 1).Select(r => (config.MethodOf(r.Method).Name, (long)ScheduleOf(r).StepsPerEpoch * config.Epochs))
                    .Prepend((config.MethodOf(run.Method).Name, (long)ScheduleOf(run).StepsPerEpoch * (config.Epochs - epoch)));
                return $"run {k}/{runs.Count}" + (eta.Remaining(left) is { } r ? $", about {Eta.Describe(r)} left" : "");
            }
            var schedule = ScheduleOf(run);
            (Tensor Images, Tensor Labels)? held = validation.GetValueOrDefault(run.Seed) is { } v ? Held(v) : null;
            string what = $"{run.Method} labels {run.Labels} seed {run.Seed}";
            Log?.Invoke($"training {run.Id}: {schedule.StepsPerEpoch} steps/epoch x {config.Epochs} epochs");
            void Tick()
            {
                Progress?.Invoke(new RunProgress(++done, total, what));
                Cores?.Poll();
            }
            Cores?.StartRun();
            var context = new RunContext(run, schedule, images, labels, held?.Images, held?.Labels, test, Tick, resume.GetValueOrDefault(run.Id), EpochProgress,
                rows.Where(r => r.Run == run).OrderBy(r => r.Epoch).ToList());
            rows.AddRange(Train(context));
            if (Cores is not null) threadsByRun[run.Id] = [.. Cores.Used];
            Observer?.RunEnded(run, rows);
        }
        output.WriteRunInfo(config, device, clock.Elapsed, Shard, FastPath, ThreadRecord());
        return rows;

        (Tensor Images, Tensor Labels) Held(LabeledSplit v)
        {
            var idx = tensor(v.Indices.Select(i => (long)i).ToArray(), device: images.device);
            return (images.index_select(0, idx), labels.index_select(0, idx));
        }
    }

    /// <summary>How torch's threads were set: fixed or shared, and the counts each run trained at.</summary>
    object? ThreadRecord() => Cores is null ? null : new
    {
        mode = Cores.Shared ? "shared" : "fixed",
        byRun = threadsByRun,
    };

    /// <summary>The labeled split per (label count, seed) and the validation split per seed (none without one).</summary>
    public sealed record SplitSet(Dictionary<(int Labels, int Seed), LabeledSplit> Labeled, Dictionary<int, LabeledSplit> Validation);

    /// <summary>
    /// The splits: a function of (seed, counts) and the training labels only. Throws <see cref="ArgumentException"/>,
    /// naming the field, when a class cannot hold them.
    /// </summary>
    static SplitSet DrawSplits(ExperimentConfig config, byte[] trainLabels)
    {
        int classes = Datasets.Get(config.Dataset).Classes;
        if (config.Validation > 0) LabeledSplit.CheckDisjoint(trainLabels, config.Labels.Max(), config.Validation, classes);
        var labeled = (from n in config.Labels from s in config.Seeds select (n, s))
            .ToDictionary(k => k, k => LabeledSplit.Create(trainLabels, k.n, k.s, classes));
        var validation = config.Validation == 0 ? [] : config.Seeds.ToDictionary(s => s, s => LabeledSplit.CreateValidation(trainLabels, config.Validation, s, classes));
        return new(labeled, validation);
    }

    /// <summary>
    /// The runs of the grid the ids name (--restart-run); an id that names none is a <see cref="ConfigException"/> (one line).
    /// </summary>
    public static List<RunSpec> RestartRunsOf(ExperimentConfig config, IEnumerable<string> ids)
    {
        var grid = config.Runs().ToList();
        return ids.Select(id => grid.FirstOrDefault(r => r.Id == id)
                ?? throw new ConfigException($"--restart-run: '{id}' is not a run of experiment '{config.Name}'; give a run id as 'semigan run <experiment> --dry-run' lists them, e.g. --restart-run {grid[0].Id}"))
            .ToList();
    }

    /// <summary>Refuses (<see cref="ConfigException"/>) a restart run that has already ended in <paramref name="output"/>: only an unfinished run is restarted.</summary>
    public static void RefuseEnded(IReadOnlyCollection<RunSpec> restart, RunOutput output)
    {
        if (restart.Count > 0 && File.Exists(output.RunsCsv)) RefuseEnded(restart, RunStatusCsv.Read(output.RunsCsv), output);
    }

    static void RefuseEnded(IReadOnlyCollection<RunSpec> restart, IReadOnlyList<RunStatus> statuses, RunOutput output)
    {
        if (statuses.FirstOrDefault(s => restart.Contains(s.Run)) is { } ended)
            throw new ConfigException($"--restart-run {ended.Run.Id}: that run has already ended ({ended.Status}) in {output.Folder}; only an unfinished run is restarted.");
    }

    /// <summary>
    /// The splits drawn from the training labels (plain C#, no torch), on the first trainLimit of them, as the runner
    /// draws them; an impossible one is a usage error naming the field.
    /// </summary>
    public static SplitSet CheckedSplits(ExperimentConfig config, byte[] trainLabels)
    {
        int count = config.TrainLimit > 0 ? Math.Min(config.TrainLimit, trainLabels.Length) : trainLabels.Length;
        try { return DrawSplits(config, trainLabels[..count]); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
    }

    /// <summary>
    /// The checkpoint an unfinished run resumes from (null: it starts afresh), checked against its manifest
    /// and by loading it into fresh networks. A damaged newest checkpoint falls back to the previous intact
    /// one, with a log line; with none left, a <see cref="DataException"/>.
    /// </summary>
    FoundCheckpoint? ResumePoint(RunSpec run)
    {
        var search = new Checkpoint(output.CheckpointFolder(run)).Find();
        if (search.Usable is null)
            return search.Problem is null ? null : throw Damaged(run, search.Problem + ", and no intact earlier checkpoint remains");
        // A folder saved before manifests has no checksums: loading it is the check (torch's own RNG state is set again when the run starts).
        using (var trial = config.MethodOf(run.Method).Start(new MethodContext(run, config.SettingsOf(run.Method), ImageShape.Of(data.Descriptor), device, Impl)))
            Restore(run, search.Usable, trial);
        if (search.Problem is not null)
            Log?.Invoke($"{run.Id}: warning: its newest checkpoint is damaged: {search.Problem}; resuming from the intact one after epoch {search.Usable.Meta.Epoch} " +
                        $"(or re-run with --restart-run {run.Id} to train that run from scratch)");
        return search.Usable;
    }

    void Restore(RunSpec run, FoundCheckpoint found, MethodRun trainer)
    {
        try { Checkpoint.Restore(found, trainer); }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw Damaged(run, $"{Path.GetFileName(found.Folder)} cannot be loaded ({e.GetType().Name}: {e.Message.TrimEnd('.')})");
        }
    }

    DataException Damaged(RunSpec run, string problem) =>
        new($"{run.Id}: cannot resume, its checkpoint in {output.CheckpointFolder(run)} is damaged: {problem}; " +
            $"re-run the same command with --restart-run {run.Id} to train that run again from scratch (its CSV rows and checkpoint are dropped).");

    /// <summary>Keeps, for each unfinished run, only the rows its checkpoint covers (up to the given epoch); rewrites the CSV atomically if that changes it.</summary>
    List<EpochRecord> DropRowsPastCheckpoints(List<EpochRecord>? all, Dictionary<string, int> keepUpTo)
    {
        if (all is null) return [];
        var kept = all.Where(row => !keepUpTo.TryGetValue(row.Run.Id, out int upTo) || row.Epoch <= upTo).ToList();
        if (kept.Count != all.Count || File.ReadAllText(output.EpochsCsv) is var text && !text.EndsWith('\n'))
        {
            if (kept.Count != all.Count) Log?.Invoke($"dropping {all.Count - kept.Count} CSV rows past the last checkpoints");
            EpochCsv.Rewrite(output.EpochsCsv, kept);
        }
        return kept;
    }


    /// <param name="Progress">After an epoch (its number, training steps and seconds): "run k/N, about … left" for its log line.</param>
    /// <param name="Earlier">The run's rows from earlier invocations (up to its checkpoint), by epoch.</param>
    sealed record RunContext(RunSpec Run, BatchSchedule Schedule, Tensor Images, Tensor Labels, Tensor? ValidationImages, Tensor? ValidationLabels,
        TestSet? Test, Action Tick, FoundCheckpoint? Resume, Func<int, long, double, string> Progress, IReadOnlyList<EpochRecord> Earlier);

    /// <summary>The test images and labels on the run's device; null when the experiment never evaluates the test set.</summary>
    sealed record TestSet(Tensor Images, Tensor Labels);

    /// <summary>
    /// The only place the runner evaluates the test set (accuracy, loss and confusion counts of the classifier as it
    /// is now). Null without a test set (evaluateTest: false). <see cref="TestSetProbe"/> sees every call.
    /// </summary>
    (double Accuracy, double Loss, long[,] Confusion)? EvaluateTest(TestSet? test, Classifier d)
    {
        if (test is null) return null;
        TestSetProbe.Evaluated?.Invoke(config.Name);
        return Evaluator.EvaluateWithConfusion(d, test.Images, test.Labels, config.EvalBatchSize, device);
    }

    BatchSchedule Schedule(RunSpec run, LabeledSplit split, LabeledSplit? validation) =>
        new(run.Protocol, TrainCount, split.Indices, config.LabeledInUnlabeledPool, config.BatchSize, run.Seed,
            config.ValidationInUnlabeledPool ? null : validation?.Indices);

    /// <summary>One run: its method builds the networks (same classifier weights for every method at a seed), then epochs.</summary>
    List<EpochRecord> Train(RunContext c)
    {
        using var precision = Autocast.Use(config.SettingsOf(c.Run.Method).Precision); // training and evaluation alike
        using var method = config.MethodOf(c.Run.Method).Start(new MethodContext(c.Run, config.SettingsOf(c.Run.Method), ImageShape.Of(data.Descriptor), device, Impl));
        TrainingProbe.Started?.Invoke(method.Classifier);
        if (DiagnosticsEvery > 0)
        {
            var log = new DiagnosticsCsv(output.DiagnosticsPath(c.Run), c.Resume?.Meta.Epoch ?? 0);
            method.Diagnostics = new StepDiagnostics(DiagnosticsEvery, c.Resume?.Meta.Iterations ?? 0, log.Append,
                c.ValidationImages, c.ValidationLabels, config.EvalBatchSize);
        }
        bool everyEpoch = c.Run.Seed == config.Seeds[0]; // one run per variant keeps a sample grid per epoch
        void AfterEpoch(int epoch)
        {
            if (Observer is null || !(everyEpoch || epoch == config.Epochs) || method.Samples() is not { } pixels) return;
            var (h, w) = (data.Descriptor.Height, data.Descriptor.Width);
            if (everyEpoch) Observer.Samples(c.Run, epoch, final: false, pixels, config.SampleCount, h, w);
            if (epoch == config.Epochs) Observer.Samples(c.Run, epoch, final: true, pixels, config.SampleCount, h, w);
        }
        return TrainLoop(c, method, e => method.Train(c.Schedule.Data(e, c.Images, c.Labels, device, method.Needs, TestHold.After(e, c.Tick, output.Folder))), AfterEpoch);
    }

    List<EpochRecord> TrainLoop(RunContext c, MethodRun trainer, Func<int, EpochLosses> trainEpoch, Action<int> afterEpoch)
    {
        var d = trainer.Classifier;
        var rows = new List<EpochRecord>();
        var checkpoint = new Checkpoint(output.CheckpointFolder(c.Run));
        var resumed = c.Resume?.Meta;
        if (c.Resume is { } found) Restore(c.Run, found, trainer);
        long iterations = resumed?.Iterations ?? 0, seen = resumed?.ImagesSeen ?? 0, labeledSeen = resumed?.LabeledImagesSeen ?? 0;
        if (resumed is not null) Log?.Invoke($"{c.Run.Id}: resumed after epoch {resumed.Epoch}");
        // Under best-validation the model of the epoch selected so far is kept beside the last one, so `semigan eval` can
        // reproduce the reported accuracy. A run starting afresh has none yet (a crashed attempt's copy is dropped).
        bool keepSelected = config.Select == SelectRule.BestValidation;
        string selectedFolder = output.SelectedModelFolder(c.Run);
        if (keepSelected && c.Earlier.Count == 0 && Directory.Exists(selectedFolder)) Directory.Delete(selectedFolder, true);
        double? bestValidation = c.Earlier.Count == 0 ? null : c.Earlier.Max(r => r.ValidationAccuracy);
        for (int epoch = (resumed?.Epoch ?? 0) + 1; epoch <= config.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var losses = trainEpoch(epoch);
            double trainSeconds = clock.Elapsed.TotalSeconds;
            (double Accuracy, double Loss, long[,] Confusion)? tested;
            double? valAcc, valLoss;
            using (trainer.Evaluated())
            {
                tested = EvaluateTest(c.Test, d);
                (valAcc, valLoss) = c.ValidationImages is null ? ((double?)null, (double?)null)
                    : Evaluator.Evaluate(d, c.ValidationImages, c.ValidationLabels!, config.EvalBatchSize, device);
            }
            // With averaged weights, the live ones too (the average lags early on; validation says whether it helps, without the test set).
            double? liveValidation = null, liveTest = null;
            if (trainer.Averaged)
            {
                liveTest = EvaluateTest(c.Test, d)?.Accuracy;
                if (c.ValidationImages is not null) liveValidation = Evaluator.Evaluate(d, c.ValidationImages, c.ValidationLabels!, config.EvalBatchSize, device).Accuracy;
            }
            iterations += losses.Steps; seen += losses.RealImages; labeledSeen += losses.LabeledImages;
            var row = new EpochRecord
            {
                Experiment = config.Name, Run = c.Run, Epoch = epoch,
                Iterations = iterations, ImagesSeen = seen, LabeledImagesSeen = labeledSeen,
                ValidationAccuracy = valAcc, ValidationLoss = valLoss,
                TestAccuracy = tested?.Accuracy, TestLoss = tested?.Loss,
                LiveValidationAccuracy = liveValidation, LiveTestAccuracy = liveTest,
                Losses = losses.Losses,
                EpochSeconds = trainSeconds,
                FinishedUtc = DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds()), // whole seconds, as the CSV holds it
            };
            // Row first, checkpoint second: a crash in between re-runs this epoch from the previous
            // checkpoint, and the resume drops this row before writing it again.
            EpochCsv.Append(output.EpochsCsv, [row]);
            // After the row, before the checkpoint: a crash in between re-runs this epoch, which saves its model again.
            // >= as the rule: the latest of tied epochs is the selected one.
            if (keepSelected && valAcc is { } v && (bestValidation is not { } best || v >= best))
            {
                bestValidation = v;
                SavedModel.Save(selectedFolder, new SavedModelInfo
                {
                    RunId = c.Run.Id, Status = SavedModelInfo.SelectedStatus, Epoch = epoch, Implementation = Impl.ToString().ToLowerInvariant(),
                }, trainer);
            }
            if (tested is { } t) ConfusionCsv.Write(output.ConfusionPath(c.Run, epoch), t.Confusion); // every epoch's, so the report can show the selected one
            rows.Add(row);
            string validationText = valAcc is { } va ? $"validation accuracy {va:P2}, " : "";
            if (trainer.Averaged)
                validationText = (liveValidation is { } lv ? $"live weights' validation accuracy {lv:P2}, " : "") +
                                 (liveTest is { } lt ? $"live weights' test accuracy {lt:P2}, " : "") + "averaged weights' " + validationText;
            string testText = tested is { } tt ? $"test accuracy {tt.Accuracy:P2}, test loss {tt.Loss:F4}, " : "test set not evaluated, ";
            Log?.Invoke($"{c.Run.Id} epoch {epoch}/{config.Epochs}: {validationText}{testText}{trainSeconds:F1} s, {Memory.Describe()}; {c.Progress(epoch, losses.Steps, trainSeconds)}");
            if (losses.NonFinite() is { } bad)
            {
                Log?.Invoke($"{c.Run.Id} diverged at epoch {epoch}: {bad}; going on with the next run");
                CheckSelected(c, rows);
                End(c.Run, RunStatus.Diverged, epoch, bad, checkpoint, trainer);
                Observer?.Epoch(c.Run, row);
                return rows;
            }
            afterEpoch(epoch);
            checkpoint.Save(new CheckpointMeta(c.Run.Id, epoch, iterations, seen, labeledSeen), trainer);
            Observer?.Epoch(c.Run, row); // only now: a crash before the checkpoint re-runs this epoch
        }
        // The last epoch's model's confusion matrix, for the report (reported, never used to choose anything).
        using (trainer.Evaluated())
            if (EvaluateTest(c.Test, d) is { } last) ConfusionCsv.Write(output.ConfusionPath(c.Run), last.Confusion);
        CheckSelected(c, rows);
        End(c.Run, RunStatus.Finished, config.Epochs, "", checkpoint, trainer);
        return rows;
    }

    /// <summary>
    /// The kept selected model must be of the epoch the rule selects from the run's rows; one that is not (a resumed epoch that
    /// trained differently from its crashed attempt) is dropped with a log line, so `semigan eval` never shows another epoch's model.
    /// </summary>
    void CheckSelected(RunContext c, List<EpochRecord> rows)
    {
        if (config.Select != SelectRule.BestValidation) return;
        string folder = output.SelectedModelFolder(c.Run);
        var all = c.Earlier.Concat(rows).OrderBy(r => r.Epoch).ToList();
        if (all.Count == 0 || all.Any(r => r.ValidationAccuracy is null)) return;
        int selected = Aggregation.Selected(all, SelectRule.BestValidation).Epoch;
        if (SavedModel.TryRead(folder) is { } kept && kept.Epoch == selected) return;
        if (Directory.Exists(folder)) Directory.Delete(folder, true);
        Log?.Invoke($"{c.Run.Id}: warning: the kept model is not of its selected epoch {selected}; dropped (models/{c.Run.Id}/ keeps the last epoch's)");
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
            RunId = run.Id, Run = run, Status = status, Epoch = epoch, Detail = detail,
        });
        checkpoint.Delete(); // an ended run is never resumed; its checkpoint would only take space
    }
}
