using SemiGan.Benchmarks;
using SemiGan.Experiments;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using SemiGan.Config;
using SemiGan.Data;
using SemiGan.Results;
using SemiGan.Training;

namespace SemiGan.Cli.Commands;

/// <summary>
/// `semigan run --dry-run`: every check `run` makes before it writes (the experiment with its overrides, the
/// options, the output folder), then the grid with each run's steps, and an estimate of the time. Writes
/// nothing, creates no folder, takes no lock and fetches no data; the fast-path check is not run.
/// </summary>
public static class DryRun
{
    static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Where a bench result is looked for without --bench: the newest of these.</summary>
    public const string BenchPattern = "bench*.json";
    public const string BenchFolder = "results";

    public static int Print(ParseResult r, Func<(ExperimentConfig Config, string Out)> load)
    {
        var (cfg, outPath) = load();
        Errors.Input(() => DeviceChoice.Resolve(r.GetValue<string>("--device")!));
        RunCommand.ParseFastPath(r.GetValue<string>("--fast-path")!);
        int jobs = r.GetValue<int>("--jobs");
        var part = r.GetValue<string?>("--shard") is { } sh ? Shard.Parse(sh) : Shard.All;
        if (jobs != 1 && part != Shard.All)
            throw new ConfigException("--jobs: cannot be combined with --shard; use --shard alone (one shard per machine) or --jobs alone.");
        var output = RunOutput.Check(outPath, cfg); // reads only

        var dataset = Datasets.Get(cfg.Dataset);
        int available = dataset.TrainCount, testCount = dataset.TestCount;
        string dataNote = "";
        string folder = r.GetValue<string?>("--data") ?? dataset.DefaultFolder;
        if (!r.GetValue<bool>("--no-verify"))
        {
            if (!DataFolder.AllPresent(dataset, folder)) dataNote = $", not yet in {folder}: the run fetches them";
        }
        else
        {
            // Other data of the same shape: the run uses the images the folder holds, as many as its label files list.
            if (DataFolder.Locate(folder, dataset.TrainLabels) is { } train && DataFolder.Locate(folder, dataset.TestLabels) is { } test)
            {
                (available, testCount) = (IdxReader.Read(train, 1).Count, IdxReader.Read(test, 1).Count);
                dataNote = $", --no-verify: the {available} of {folder}";
            }
        }
        if (DataFolder.TrainLabelsIfPresent(dataset, folder, !r.GetValue<bool>("--no-verify")) is { } labels) ExperimentRunner.CheckedSplits(cfg, labels);
        int trainCount = cfg.TrainLimit > 0 ? Math.Min(cfg.TrainLimit, available) : available;
        if (cfg.Labels.Max() + cfg.Validation > trainCount)
            throw new ConfigException($"labels: {cfg.Labels.Max()} labeled and {cfg.Validation} validation images do not fit in the {trainCount} training images{dataNote}.");

        var runs = part.Select(cfg.Runs().ToList());
        var ended = RunStatusCsv.Read(output.RunsCsv).Select(x => x.Run).ToHashSet();
        int Done(RunSpec run) => ended.Contains(run) ? cfg.Epochs : new Checkpoint(output.CheckpointFolder(run)).LatestEpoch() ?? 0;
        var rates = Rates(cfg, output, trainCount, testCount, r.GetValue<string?>("--bench"), out var evalSeconds, out string benchNote);

        bool resumes = File.Exists(output.ConfigPath);
        Console.WriteLine($"{cfg.Name}: dry run, nothing written; {runs.Count} runs" + (part == Shard.All ? "" : $" (shard {part} of {cfg.Runs().Count()})") +
                          $", dataset {cfg.Dataset} ({trainCount} training images{dataNote}), batch {cfg.BatchSize}, {cfg.Epochs} epochs; " +
                          $"output folder {outPath} ({(resumes ? $"holds this experiment: {runs.Count(ended.Contains)} runs ended" : "new")})");
        if (cfg.Primary is { } primary)
            Console.WriteLine($"primary comparisons: {string.Join("; ", primary.Select(p => p.ToString()))}" +
                              (output.PrimaryDeclaredAfterRuns ? " (declared after the folder's runs: config.json records that, and the report says it)" : ""));
        long stepsLeft = 0, stepsAll = 0;
        double seconds = 0;
        var unknown = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var run in runs)
        {
            int steps = StepsPerEpoch(cfg, run, trainCount), done = Done(run), left = cfg.Epochs - done;
            stepsAll += (long)steps * cfg.Epochs;
            stepsLeft += (long)steps * left;
            string state = done == 0 ? "" : left == 0 ? " (ended)" : $" (resumes after epoch {done})";
            string time = "";
            if (left > 0 && rates.TryGetValue((run.Method, run.Protocol), out var rate))
            {
                double s = left * (steps * rate.SecondsPerStep + evalSeconds.GetValueOrDefault());
                seconds += s;
                time = $", about {Minutes(s)}";
            }
            else if (left > 0) unknown.Add(run.Method);
            Console.WriteLine($"  {run.Id}: method {run.Method}, seed {run.Seed}, {run.Labels} labels, {steps} steps/epoch x {cfg.Epochs} epochs{state}{time}");
        }
        Console.WriteLine($"steps: {stepsLeft} to train" + (stepsLeft == stepsAll ? "" : $" ({stepsAll} in all)"));
        string fix = $"run semigan bench --json {Path.Combine(BenchFolder, "bench.json")} (or pass --bench FILE)";
        if (stepsLeft == 0) Console.WriteLine("estimate: nothing left to train");
        else if (rates.Count == 0) Console.WriteLine($"no estimate: {fix}");
        else
        {
            // Grouped by where each figure comes from: "<source>: sgan masked 38.1 ms/step, ...".
            var bySource = rates.Where(x => runs.Any(run => (run.Method, run.Protocol) == x.Key)).GroupBy(x => x.Value.Source)
                .ToDictionary(g => g.Key, g => g.Select(x => string.Create(Inv, $"{x.Key.Method} {x.Key.Protocol.Name()} {x.Value.SecondsPerStep * 1000:F1} ms/step")).ToList());
            if (evalSeconds is { } e) (bySource.TryGetValue(benchNote, out var list) ? list : bySource[benchNote] = []).Add(string.Create(Inv, $"evaluation {e:F2} s/epoch"));
            Console.WriteLine($"estimate: {(unknown.Count > 0 ? "at least " : "")}{Minutes(seconds)} in one process" + (jobs > 1 ? $" (--jobs {jobs} splits it over {jobs})" : "") +
                              $", from {string.Join("; ", bySource.Select(x => $"{x.Key}: {string.Join(", ", x.Value)}"))}" +
                              (evalSeconds is null ? "; evaluation not included" : "") +
                              (unknown.Count > 0 ? $"; no figure for [{string.Join(", ", unknown)}]: {fix}" : ""));
        }
        return Errors.Ok;
    }

    /// <summary>A run's steps per epoch, by <see cref="BatchSchedule"/> itself on splits of the sizes the run draws (labeled and validation disjoint).</summary>
    public static int StepsPerEpoch(ExperimentConfig cfg, RunSpec run, int trainCount)
    {
        int[] labeled = Enumerable.Range(0, run.Labels).ToArray();
        int[]? heldOut = cfg.Validation > 0 && !cfg.ValidationInUnlabeledPool ? Enumerable.Range(run.Labels, cfg.Validation).ToArray() : null;
        return new BatchSchedule(run.Protocol, trainCount, labeled, cfg.LabeledInUnlabeledPool, cfg.BatchSize, run.Seed, heldOut).StepsPerEpoch;
    }

    sealed record Rate(double SecondsPerStep, string Source);

    /// <summary>Each method's streams step in milliseconds, by method name, from a bench file (default: the newest under results/); its path, or null when there is none.</summary>
    public static Dictionary<string, double> BenchStepMilliseconds(string? benchPath, out string? source)
    {
        source = benchPath ?? (Directory.Exists(BenchFolder)
            ? new DirectoryInfo(BenchFolder).GetFiles(BenchPattern).OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName is { } newest
                ? Path.GetRelativePath(".", newest) : null
            : null);
        var ms = new Dictionary<string, double>();
        if (source is null || !File.Exists(source)) { source = null; return ms; }
        JsonNode? bench;
        try { bench = JsonNode.Parse(File.ReadAllText(source)); }
        catch (JsonException) { source = null; return ms; }
        if (bench?["results"] is not JsonArray results) { source = null; return ms; }
        foreach (var x in BenchFile.Entries(results))
            if (x is { Item: BenchItem.MethodStep, Method: { } method, Reference: false } && x.MedianMs is { } v)
                ms[method] = v;
        return ms;
    }

    /// <summary>
    /// Seconds per training step per (method, protocol): from the epoch_seconds of the output folder's epochs.csv (this
    /// same experiment, as <see cref="RunOutput.Check"/> made sure) where it has rows, else from a bench file's method
    /// step (CNN only, scaled to the batch size); evaluation seconds per epoch from the bench file.
    /// </summary>
    static Dictionary<(string Method, Protocol Protocol), Rate> Rates(ExperimentConfig cfg, RunOutput output, int trainCount, int testCount, string? benchOption,
        out double? evalSeconds, out string benchNote)
    {
        var rates = new Dictionary<(string, Protocol), Rate>();
        evalSeconds = null;
        benchNote = "";
        string? benchPath = benchOption;
        if (benchPath is not null && !File.Exists(benchPath))
            throw new ConfigException($"--bench: {benchPath} not found; write one with semigan bench --json {benchPath}.");
        benchPath ??= Directory.Exists(BenchFolder)
            ? new DirectoryInfo(BenchFolder).GetFiles(BenchPattern).OrderByDescending(f => f.LastWriteTimeUtc).FirstOrDefault()?.FullName is { } newest
                ? Path.GetRelativePath(".", newest) : null
            : null;
        if (benchPath is not null)
        {
            string notBench = $"--bench: {benchPath} is not a file written by semigan bench --json; pass one with --bench FILE, or write one with semigan bench --json {benchPath}.";
            // Its fields are read by type below: a hand-edited or damaged file is refused as such, never an internal error.
            try
            {
                JsonNode? bench;
                try { bench = JsonNode.Parse(File.ReadAllText(benchPath), null, new JsonDocumentOptions { AllowDuplicateProperties = false }); }
                catch (JsonException) { bench = null; }
                if (bench?["results"] is not JsonArray results || bench["BatchSize"]?.GetValue<int>() is not { } benchBatch || benchBatch <= 0)
                    throw new ConfigException(notBench);
                benchNote = $"{benchPath} ({bench["Device"]}, {bench["Threads"]} torch threads)";
                if (BenchFile.Entries(results).FirstOrDefault(x => x.Item == BenchItem.Evaluation)?.ImagesPerSecond is { } ips)
                    evalSeconds = ((cfg.EvaluateTest ? testCount : 0) + cfg.Validation) / ips; // a tuning run evaluates validation only
                foreach (var m in cfg.Methods)
                    if (cfg.SettingsOf(m).Architecture == Models.Architecture.Cnn && BenchFile.MethodStep(results, cfg.MethodOf(m).Name)?.MedianMs is { } ms)
                        foreach (var p in cfg.Protocol.Select(ProtocolNames.Parse))
                            rates[(m, p)] = new(ms / 1000 * cfg.BatchSize / benchBatch, benchNote);
            }
            catch (Exception e) when (e is InvalidOperationException or FormatException) { throw new ConfigException(notBench); }
        }
        if (File.Exists(output.EpochsCsv))
            foreach (var g in EpochCsv.Read(output.EpochsCsv).GroupBy(x => (x.Run.Method, x.Run.Protocol)))
            {
                long steps = g.Sum(x => (long)StepsPerEpoch(cfg, x.Run, trainCount));
                if (steps > 0) rates[g.Key] = new(g.Sum(x => x.EpochSeconds) / steps, $"{g.Count()} epochs in {output.EpochsCsv}");
            }
        return rates;
    }

    static string Minutes(double seconds) => seconds < 90 ? string.Create(Inv, $"{seconds:F0} s") : string.Create(Inv, $"{seconds / 60:F1} min");
}
