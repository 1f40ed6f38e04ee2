using System.Globalization;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Kernels;
using SemiGan.Models;
using SemiGan.Reports;
using SemiGan.Results;
using SemiGan.Training;
using static TorchSharp.torch;

namespace SemiGan.Experiments;

/// <summary>The options of `semigan run` (and `tune`) for a grid trained in this process, as parsed.</summary>
public sealed record RunOptions
{
    /// <summary>Run ids to train again from scratch (--restart-run).</summary>
    public IReadOnlyList<string> RestartRuns { get; init; } = [];
    public Shard Shard { get; init; } = Shard.All;
    public FastPathMode FastPath { get; init; } = FastPathMode.Auto;
    /// <summary>auto, cpu or cuda.</summary>
    public string Device { get; init; } = "auto";
    /// <summary>Torch CPU threads; null: libtorch's choice, shared with other runs.</summary>
    public int? Threads { get; init; }
    /// <summary>The dataset's folder; null: its default.</summary>
    public string? DataFolder { get; init; }
    public bool Verify { get; init; } = true;
    /// <summary>--diagnostics N: log every Nth optimizer step of each run (<see cref="StepDiagnostics"/>); null: off.</summary>
    public int? Diagnostics { get; init; }
    /// <summary>Relative step costs by method (the newest bench file's), for the time left; null: none.</summary>
    public IReadOnlyDictionary<string, double>? StepCostPrior { get; init; }
}

/// <summary>How a run speaks to whoever started it: lines to print, the runner's log lines, and a progress display around the training.</summary>
public sealed record RunConsole(Action<string> Print, Action<string> Log,
    Func<Func<Action<RunProgress>, IReadOnlyList<EpochRecord>>, IReadOnlyList<EpochRecord>> WithProgress);

/// <summary>
/// One experiment's grid (or shard of it) trained in this process: <see cref="Check"/> makes every check possible without
/// torch, writing nothing, so a refused command costs no self-check and no fetch; <see cref="Train"/> then resolves the
/// device, runs the fast-path check, fetches and loads the data, opens and locks the folder and runs
/// <see cref="ExperimentRunner"/>. The splits and the --restart-run ids are worked out once, here, and handed to the runner.
/// </summary>
public sealed class ExperimentRun
{
    public ExperimentConfig Config { get; }
    readonly string outPath;
    readonly RunOptions options;
    readonly DatasetDescriptor dataset;
    readonly string dataFolder;
    readonly IReadOnlyList<RunSpec> restart;
    /// <summary>The splits drawn from the label file on disk during the checks, with those labels; null when the data is not here yet.</summary>
    readonly (ExperimentRunner.SplitSet Splits, byte[] Labels)? checkedSplits;

    /// <summary>The output folder, opened by <see cref="Train"/>.</summary>
    public RunOutput? Output { get; private set; }

    ExperimentRun(ExperimentConfig config, string outPath, RunOptions options, DatasetDescriptor dataset, string dataFolder,
        IReadOnlyList<RunSpec> restart, (ExperimentRunner.SplitSet, byte[])? checkedSplits)
    {
        Config = config;
        this.outPath = outPath;
        this.options = options;
        this.dataset = dataset;
        this.dataFolder = dataFolder;
        this.restart = restart;
        this.checkedSplits = checkedSplits;
    }

    /// <summary>
    /// Everything checkable without torch, in this order: the options, the output folder (holds this experiment or none),
    /// its lock, the --restart-run ids, its run-info.json, and the splits' feasibility from the label file when it is
    /// here (a first run checks them once the data is fetched). Throws a <see cref="ConfigException"/> or
    /// <see cref="DataException"/>; writes nothing.
    /// </summary>
    public static ExperimentRun Check(ExperimentConfig config, string outPath, RunOptions options)
    {
        if (options.Device is not ("auto" or "cpu" or "cuda")) throw new ConfigException($"--device: '{options.Device}' is not one of auto, cpu, cuda.");
        if (options.Threads is <= 0 and var badThreads) throw new ConfigException($"--threads: {badThreads} must be positive.");
        if (options.Diagnostics is <= 0 and var badEvery) throw new ConfigException($"--diagnostics: {badEvery} must be positive.");
        if (options.Device != "cuda" && !Autocast.CpuHasBf16 && config.Methods.FirstOrDefault(m => config.SettingsOf(m).Precision == Precision.Bf16) is { } bf16)
            throw new ConfigException($"methodSettings.{bf16}.precision: bf16 needs a CPU with AVX512-BF16 or AMX (read from /proc/cpuinfo), which this one is not " +
                "(libtorch would emulate it, slower than fp32); use fp32, or --device cuda on a GPU.");
        var checkedOut = RunOutput.Check(outPath, config);
        FolderLock.Check(outPath);
        var restart = ExperimentRunner.RestartRunsOf(config, options.RestartRuns);
        ExperimentRunner.RefuseEnded(restart, checkedOut);
        if (File.Exists(checkedOut.RunInfoPath)) RunOutput.ReadRunInfo(checkedOut.RunInfoPath); // unreadable: refused now, not after the self-check
        var dataset = Datasets.Get(config.Dataset);
        string dataFolder = options.DataFolder ?? dataset.DefaultFolder;
        // Split feasibility from the label file (plain C#) when it is here.
        (ExperimentRunner.SplitSet, byte[])? splits = DataFolder.TrainLabelsIfPresent(dataset, dataFolder, options.Verify) is { } labels
            ? (ExperimentRunner.CheckedSplits(config, labels), labels) : null;
        return new ExperimentRun(config, outPath, options, dataset, dataFolder, restart, splits);
    }

    /// <summary>
    /// The run: torch on the device, the thread count, the fast-path self-check, the data (fetched when missing), the
    /// folder opened and locked, then the runner. <paramref name="started"/> is when the command started (run-info.json).
    /// </summary>
    public IReadOnlyList<EpochRecord> Train(RunConsole console, DateTime started)
    {
        // Every line also goes to the folder's run.log (appended on resume); lines are held until the runner has passed every
        // check and starts writing, so a refused resume leaves the folder as it was.
        var early = new List<string> { $"== {DateTime.UtcNow:yyyy-MM-ddTHH:mm:ssZ} {Config.Name}: training in this process ==" };
        StreamWriter? runLog = null;
        void Record(string line)
        {
            if (runLog is null) { early.Add(line); return; }
            runLog.WriteLine(line);
            runLog.Flush();
        }
        void Print(string line) { console.Print(line); Record(line); }
        void Log(string line) { console.Log(line); Record(line); }
        try { return TrainLogged(console, started, Print, Log, folder => { runLog = new StreamWriter(RunOutput.RunLogPath(folder), append: true); early.ForEach(Record); }); }
        finally { runLog?.Dispose(); }
    }

    IReadOnlyList<EpochRecord> TrainLogged(RunConsole console, DateTime started, Action<string> print, Action<string> log, Action<string> writing)
    {
        var cfg = Config;
        Device dev;
        try { dev = DeviceChoice.Resolve(options.Device); }
        catch (ArgumentException e) { throw new ConfigException(e.Message); }
        if (options.Threads is { } t) TorchSharp.torch.set_num_threads(t);
        if (Kernels.TorchLogLevel.Apply() is { } logWarning) print($"warning: {logWarning}");
        var choice = FastPathChoice.Make(options.FastPath, () => Methods.FastPathCheck.Run(dev, cfg.BatchSize,
            cfg.Head.Select(KPlusOneHeadNames.Parse), cfg.Methods.Select(m => new Methods.FastPathCheck.Subject(cfg.MethodOf(m), m, cfg.SettingsOf(m))),
            ImageShape.Of(dataset)), print);
        if (options.Verify) print(DatasetFetcher.EnsurePresent(dataset, dataFolder, print));
        using var images = ImageDataset.Load(dataset, dataFolder, options.Verify);
        // The splits checked before are the ones to train on when they came from these same labels; else they are drawn now (and checked).
        var splits = checkedSplits is { } c && c.Labels.AsSpan().SequenceEqual(images.TrainLabelsHost)
            ? c.Splits : ExperimentRunner.CheckedSplits(cfg, images.TrainLabelsHost);
        var outFolder = Output = RunOutput.Open(outPath, cfg);
        using var folderLock = FolderLock.Take(outFolder.Folder);
        using var cores = CoreShare.Join(options.Threads);
        var part = options.Shard;
        print($"{cfg.Name}: labels [{string.Join(",", cfg.Labels)}], seeds [{string.Join(",", cfg.Seeds)}], {cfg.Epochs} epochs, " +
                      $"protocol [{string.Join(",", cfg.Protocol)}], head [{string.Join(",", cfg.Head)}], {cfg.Runs().Count()} runs, " +
                      $"device {dev.type}, torch threads {cores.Threads}" + (cores.Shared ? " (a share of the cores, re-checked while training)" : "") + (part == Shard.All ? "" : $", shard {part}"));
        print($"writing to {Path.GetFullPath(outFolder.Folder)}");

        return console.WithProgress(report => new ExperimentRunner(cfg, images, outFolder, dev)
        {
            Shard = part,
            Restart = restart,
            Splits = splits,
            // This invocation's run-info.json entry: its start once the runner's checks (checkpoints included) passed, its end when training is over.
            Starting = () =>
            {
                outFolder.WriteRunInfoStart(cfg, dev, started, part, choice);
                writing(outFolder.Folder);
            },
            Observer = new RunObservers(new RunArtifacts(outFolder), new TensorBoardLog(outFolder)),
            FastPath = choice,
            DiagnosticsEvery = options.Diagnostics ?? 0,
            StepCostPrior = options.StepCostPrior,
            Cores = cores,
            Progress = report,
            Log = log,
        }.Run());
    }

    /// <summary>Per variant trained here, a line with each seed's final accuracy (test, or validation when the test set is never evaluated) at the selected epoch.</summary>
    public static IEnumerable<string> FinalAccuracies(ExperimentConfig cfg, IReadOnlyList<EpochRecord> rows)
    {
        string rule = cfg.Select == SelectRule.Last ? "last epoch" : "epoch of best validation accuracy";
        foreach (var g in rows.GroupBy(x => (x.Run.Method, x.Run.Labels, Protocol: x.Run.Protocol.Name(), Head: x.Run.Head.Name())))
        {
            var finals = g.GroupBy(x => x.Run.Seed).Select(s => Aggregation.Selected(s.OrderBy(x => x.Epoch).ToList(), cfg.Select))
                .Select(x => cfg.EvaluateTest ? x.TestAccuracy : x.ValidationAccuracy);
            yield return $"{g.Key.Method} ({g.Key.Labels} labels, {g.Key.Protocol}, {g.Key.Head}): final {(cfg.EvaluateTest ? "test" : "validation")} accuracy ({rule}) " +
                         string.Join(", ", finals.Select(f => f?.ToString("P2", CultureInfo.InvariantCulture) ?? "none"));
        }
    }

    /// <summary>
    /// Once every run of the grid has ended: writes report.md and gives the experiment's answer, each gain against its
    /// reference per label count with its 95% CI and paired p (from the folder's CSVs, as the report has them), and the
    /// report's path. Nothing while runs remain unfinished, or for a folder that never evaluates the test set.
    /// </summary>
    public static IReadOnlyList<string> Answer(ExperimentConfig cfg, RunOutput outFolder)
    {
        if (!cfg.EvaluateTest) return []; // no test figures, so no gains to give (a tuning folder: `semigan tune` gives its answer)
        var statuses = RunStatusCsv.Read(outFolder.RunsCsv);
        if (cfg.Runs().Any(run => statuses.All(s => s.Run != run))) return []; // unfinished runs remain: no answer yet
        var runs = Aggregation.Runs(EpochCsv.Read(outFolder.EpochsCsv), statuses, select: cfg.Select);
        var gains = Aggregation.Gains(runs, cfg.GainPairs());
        string report = ReportWriter.Write(outFolder.Folder);
        var inv = CultureInfo.InvariantCulture;
        string rule = cfg.Select == SelectRule.Last ? "last epoch" : "epoch of best validation accuracy";
        // A table, one row per gain: the answer of an experiment with several references reads at a glance.
        var table = gains.Select(g => new[]
        {
            $"{g.Method} − {g.Reference}", g.Labels.ToString(inv), g.Protocol, g.Head,
            string.Format(inv, "{0:+0.00;−0.00} pp", 100 * g.Final.MeanDifference),
            string.Format(inv, "[{0:+0.00;−0.00}, {1:+0.00;−0.00}]", 100 * g.Final.CiLow, 100 * g.Final.CiHigh),
            g.Final.P < 0.001 ? g.Final.P.ToString("0.0E+0", inv) : g.Final.P.ToString("0.000", inv), g.Final.N.ToString(inv), // a tiny p is not 0
        }).Prepend(["gain", "labels", "protocol", "head", "mean", "95% CI", "paired p", "seeds"]).ToList();
        var widths = Enumerable.Range(0, table[0].Length).Select(c => table.Max(r => r[c].Length)).ToArray();
        string Line(string[] r) => "  " + string.Join("  ", r.Select((x, c) => c is 1 or >= 4 && c != 5 ? x.PadLeft(widths[c]) : x.PadRight(widths[c]))).TrimEnd();
        return
        [
            .. gains.Count == 0 ? [] : new[] { $"gains in final test accuracy ({rule}), paired by seed:" }.Concat(table.Select(Line)),
            $"report: {Path.GetFullPath(report)}",
        ];
    }
}
