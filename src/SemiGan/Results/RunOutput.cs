using SemiGan.Training;
using System.Globalization;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using SemiGan.Config;
using static TorchSharp.torch;

namespace SemiGan.Results;

/// <summary>
/// A run's output folder and the files in it. Opening refuses a folder that already holds results,
/// so a run never overwrites earlier work, and checks the folder is writable before any training.
/// </summary>
public sealed class RunOutput
{
    public string Folder { get; }
    public string EpochsCsv => Path.Combine(Folder, "epochs.csv");
    public string ConfigPath => Path.Combine(Folder, "config.json");
    public string RunInfoPath => Path.Combine(Folder, "run-info.json");
    public string RunsCsv => Path.Combine(Folder, "runs.csv");
    /// <summary>Every line a training process printed, appended invocation after invocation.</summary>
    public static string RunLogPath(string folder) => Path.Combine(folder, "run.log");
    public string CheckpointFolder(RunSpec run) => Path.Combine(Folder, "checkpoints", run.Id);
    /// <summary>An ended run's final networks (see <see cref="SavedModel"/>).</summary>
    public string ModelsFolder => Path.Combine(Folder, "models");
    public string ModelFolder(RunSpec run) => Path.Combine(ModelsFolder, run.Id);
    /// <summary>Under <c>select: best-validation</c>, the networks after the run's selected epoch (the best validation accuracy so far while it trains).</summary>
    public string SelectedModelFolder(RunSpec run) => Path.Combine(ModelsFolder, "selected", run.Id);
    /// <summary>A run's TensorBoard event files (one per invocation that trained it).</summary>
    public string TensorBoardFolder(RunSpec run) => Path.Combine(Folder, "tensorboard", run.Id);
    /// <summary>A run's per-step diagnostics (`semigan run --diagnostics N`, see <see cref="StepDiagnostics"/>).</summary>
    public string DiagnosticsPath(RunSpec run) => Path.Combine(Folder, "diagnostics", $"{run.Id}.csv");
    /// <summary>What `semigan eval` measured on the saved models.</summary>
    public string EvalCsv => Path.Combine(Folder, "eval.csv");
    public string SplitPath(int labels, int seed) => Path.Combine(Folder, "splits", $"labels-{labels}-seed-{seed}.csv");
    public string ValidationSplitPath(int count, int seed) => Path.Combine(Folder, "splits", $"validation-{count}-seed-{seed}.csv");
    /// <summary>Generator samples after the last epoch.</summary>
    public string SamplesPath(RunSpec run) => Path.Combine(Folder, "samples", $"{run.Id}.png");
    /// <summary>Generator samples after one epoch (kept for the first seed of each variant).</summary>
    public string SamplesPath(RunSpec run, int epoch) => Path.Combine(Folder, "samples", "epochs", $"{run.Id}-epoch-{epoch:D2}.png");
    public string ConfusionPath(RunSpec run) => Path.Combine(Folder, "confusion", $"{run.Id}.csv");
    /// <summary>The confusion counts after one epoch (every epoch is kept, so a report can show the epoch a run selected).</summary>
    public string ConfusionPath(RunSpec run, int epoch) => ConfusionPath(Folder, run.Id, epoch);
    public static string ConfusionPath(string folder, string runId, int epoch) => Path.Combine(folder, "confusion", runId, $"epoch-{epoch}.csv");
    public string ChartPng(int labels) => Path.Combine(Folder, $"accuracy-labels-{labels}.png");
    public string ChartSvg(int labels) => Path.Combine(Folder, $"accuracy-labels-{labels}.svg");

    RunOutput(string folder) { Folder = folder; }

    /// <summary>
    /// Opens an output folder for <paramref name="config"/>: a new or empty folder, or one holding the same
    /// experiment (same resolved config), which is then resumed. Anything else is refused before anything is
    /// written, so earlier results are never overwritten or mixed with another configuration's.
    /// </summary>
    public static RunOutput Open(string folder, ExperimentConfig config) => Open(folder, config, create: true);

    /// <summary>
    /// Every check of <see cref="Open(string, ExperimentConfig)"/> without creating anything (for checking before the
    /// self-check and a data fetch): the path is not a file nor under one, it can be written (a probe file that is gone
    /// when closed), and it holds nothing or this same experiment.
    /// </summary>
    public static RunOutput Check(string folder, ExperimentConfig config)
    {
        if (File.Exists(folder)) throw new ConfigException($"{folder}: is a file, not a folder; pass --out with a folder.");
        string full = Path.GetFullPath(folder);
        string? existing = full;
        while (existing is not null && !Directory.Exists(existing))
        {
            if (File.Exists(existing)) throw new ConfigException($"{folder}: {existing} is a file, so no folder can be made under it; pass --out with another folder.");
            existing = Path.GetDirectoryName(existing);
        }
        if (existing is not null)
        {
            try
            {
                using var probe = new FileStream(Path.Combine(existing, $".semigan-write-test-{Environment.ProcessId}"), FileMode.CreateNew, FileAccess.Write,
                    FileShare.None, 1, FileOptions.DeleteOnClose);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new ConfigException($"{folder}: output folder is not writable ({e.Message.TrimEnd('.')}); pass --out with a writable folder.");
            }
        }
        return Open(folder, config, create: false);
    }

    static RunOutput Open(string folder, ExperimentConfig config, bool create)
    {
        var o = new RunOutput(folder);
        if (File.Exists(o.ConfigPath))
        {
            ExperimentConfig existing;
            try { existing = ExperimentConfig.Load(o.ConfigPath); }
            catch (ConfigException) { throw new ConfigException($"{folder}: holds a config.json this version cannot read; pass --out with a new folder."); }
            static string WithoutPrimary(ExperimentConfig c) => (c with { Primary = null, PrimaryDeclaredAfterRuns = false }).ToJson();
            if (WithoutPrimary(existing) != WithoutPrimary(config))
                throw new ConfigException($"{folder}: already holds a run of a different configuration (see its config.json); pass --out with a new folder to keep both.");
            if (!SamePrimary(existing.Primary, config.Primary))
            {
                // A primary family is fixed before the runs it judges. Runs without a recorded family (config.json from before the
                // field) may be given one, once, and the report says it came after them.
                bool rows = File.Exists(o.EpochsCsv) && EpochCsv.Read(o.EpochsCsv).Count > 0;
                if (rows && existing.Primary is not null)
                    throw new ConfigException($"{folder}: its runs were made under the primary comparisons [{Describe(existing.Primary)}] (its config.json), " +
                                              $"and this experiment declares [{Describe(config.Primary)}]; a primary family cannot change after the runs: pass --out with a new folder.");
                o.primaryAfterRuns = rows;
            }
            else o.primaryAfterRuns = existing.PrimaryDeclaredAfterRuns;
            // Without runs.csv nothing says which runs ended, and resuming would drop their rows.
            if (File.Exists(o.EpochsCsv) && !File.Exists(o.RunsCsv))
                throw new ConfigException($"{folder}: holds results without runs.csv (an older SemiGan's), which cannot be resumed safely; pass --out with a new folder.");
        }
        else if (File.Exists(o.EpochsCsv))
            throw new ConfigException($"{folder}: already holds an epochs.csv without config.json; pass --out with a new folder, or move the old one away.");
        if (!create) return o;
        try
        {
            Directory.CreateDirectory(folder);
            string probe = Path.Combine(folder, ".write-test");
            File.WriteAllText(probe, "");
            File.Delete(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigException($"{folder}: output folder is not writable ({e.Message}); pass --out with a writable folder.");
        }
        return o;
    }

    /// <summary>An existing run's folder, for reading its results.</summary>
    public static RunOutput Existing(string folder)
    {
        var o = new RunOutput(folder);
        if (!File.Exists(o.EpochsCsv) || !File.Exists(o.ConfigPath))
            throw new ConfigException($"{folder}: not a run folder (needs epochs.csv and config.json); pass the --out folder of a run.");
        return o;
    }

    /// <summary>Was the primary list recorded in this folder declared after its runs (see <see cref="ExperimentConfig.PrimaryDeclaredAfterRuns"/>)?</summary>
    bool primaryAfterRuns;
    public bool PrimaryDeclaredAfterRuns => primaryAfterRuns;

    /// <summary>config.json: the resolved experiment, marked when its primary list came after the folder's runs.</summary>
    public void WriteConfig(ExperimentConfig config) =>
        File.WriteAllText(ConfigPath, (config with { PrimaryDeclaredAfterRuns = (primaryAfterRuns || config.PrimaryDeclaredAfterRuns) && config.Primary is not null }).ToJson() + Environment.NewLine);

    static bool SamePrimary(PrimaryComparison[]? a, PrimaryComparison[]? b) =>
        a is null || b is null ? a is null && b is null
            : a.Length == b.Length && a.Zip(b).All(p => p.First.Method == p.Second.Method && p.First.Versus == p.Second.Versus && p.First.Labels.SequenceEqual(p.Second.Labels));

    static string Describe(PrimaryComparison[]? primary) => primary is null ? "none" : string.Join("; ", primary.Select(p => p.ToString()));

    /// <summary>The index in run-info.json of this invocation's entry, once <see cref="WriteRunInfoStart"/> wrote it.</summary>
    int? runInfoEntry;
    DateTime? startedUtc;

    /// <summary>
    /// Appends this invocation's entry to run-info.json when it starts (after the folder's lock is taken), without an
    /// end: an invocation that is killed stays on record. <see cref="WriteRunInfo"/> completes the same entry.
    /// </summary>
    public void WriteRunInfoStart(ExperimentConfig config, Device device, DateTime startedUtc, Config.Shard shard, Training.FastPathChoice fastPath)
    {
        this.startedUtc = startedUtc;
        var list = File.Exists(RunInfoPath) ? ReadRunInfo(RunInfoPath) : [];
        runInfoEntry = list.Count;
        list.Add(RunInfoEntry(config, device, startedUtc, null, null, shard, fastPath));
        SaveRunInfo(list);
    }

    /// <summary>
    /// Records this invocation's end in run-info.json (machine, device, shard, start and end time, elapsed training time, command
    /// line, commit): completes the entry <see cref="WriteRunInfoStart"/> wrote, else appends one. A list: a resumed or sharded
    /// experiment has several. Written atomically (a temporary file renamed over the old one).
    /// </summary>
    public void WriteRunInfo(ExperimentConfig config, Device device, TimeSpan elapsed, Config.Shard shard, Training.FastPathChoice fastPath, object? threads = null)
    {
        var list = File.Exists(RunInfoPath) ? ReadRunInfo(RunInfoPath) : [];
        var now = DateTime.UtcNow;
        var entry = RunInfoEntry(config, device, startedUtc ?? now - elapsed, now, elapsed, shard, fastPath, threads);
        if (runInfoEntry is { } i && i < list.Count) list[i] = entry;
        else list.Add(entry);
        SaveRunInfo(list);
    }

    static JsonNode RunInfoEntry(ExperimentConfig config, Device device, DateTime started, DateTime? finished, TimeSpan? elapsed, Config.Shard shard, Training.FastPathChoice fastPath, object? threads = null) =>
        JsonSerializer.SerializeToNode(new
        {
            experiment = config.Name,
            startedUtc = started.ToString("o", CultureInfo.InvariantCulture),
            finishedUtc = finished?.ToString("o", CultureInfo.InvariantCulture),
            elapsedSeconds = elapsed is { } e ? Math.Round(e.TotalSeconds, 1) : (double?)null,
            shard = shard.ToString(),
            device = device.type.ToString(),
            torchThreads = get_num_threads(),
            openMpWaitPolicy = Kernels.OpenMpWaitPolicy.Describe(),
            threads,
            implementation = fastPath.Implementation.ToString().ToLowerInvariant(),
            fastPathCheck = fastPath.Verdict is { } v
                ? new { agrees = v.Agrees, largestDifference = v.Worst?.Difference, of = v.Worst?.Quantity, tolerance = v.Worst?.Tolerance, quantities = v.Comparisons.Count, seconds = Math.Round(v.Seconds, 2) }
                : null,
            gitCommit = GitCommit,
            cpu = CpuModel.Value,
            logicalCores = Environment.ProcessorCount,
            os = RuntimeInformation.OSDescription,
            architecture = RuntimeInformation.ProcessArchitecture.ToString(),
            dotnet = RuntimeInformation.FrameworkDescription,
            torchSharp = typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString(),
            // The libtorch version this TorchSharp binds (its libtorch package's version).
            libtorch = TorchSharp.torch.__version__,
            commandLine = Environment.GetCommandLineArgs().Skip(1).ToArray(),
        })!;

    void SaveRunInfo(List<JsonNode> list)
    {
        string tmp = RunInfoPath + ".tmp";
        File.WriteAllText(tmp, new JsonArray([.. list.Select(n => n.DeepClone())]).ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + Environment.NewLine);
        File.Move(tmp, RunInfoPath, overwrite: true);
    }

    /// <summary>The git commit this code was built from (embedded by Directory.Build.targets), or "unknown".</summary>
    public static string GitCommit =>
        typeof(RunOutput).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GitCommit")?.Value is { Length: > 0 } c ? c : "unknown";

    /// <summary>The CPU's model name: /proc/cpuinfo on Linux, the registry or PROCESSOR_IDENTIFIER on Windows, else the architecture.</summary>
    static readonly Lazy<string> CpuModel = new(() =>
    {
        try
        {
            if (OperatingSystem.IsLinux() && File.Exists("/proc/cpuinfo"))
                foreach (string line in File.ReadLines("/proc/cpuinfo"))
                    if (line.Split(':', 2) is [var key, var value] && key.Trim() is "model name" or "Model" or "Hardware" && value.Trim().Length > 0)
                        return value.Trim();
            if (OperatingSystem.IsWindows())
            {
                if (Microsoft.Win32.Registry.GetValue(@"HKEY_LOCAL_MACHINE\HARDWARE\DESCRIPTION\System\CentralProcessor\0", "ProcessorNameString", null) is string { Length: > 0 } name)
                    return name.Trim();
                if (Environment.GetEnvironmentVariable("PROCESSOR_IDENTIFIER") is { Length: > 0 } id) return id.Trim();
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Security.SecurityException) { }
        return $"unknown {RuntimeInformation.ProcessArchitecture} CPU";
    });

    /// <summary>The invocations recorded in a run-info.json (older single-object files count as one).</summary>
    public static List<JsonNode> ReadRunInfo(string path)
    {
        JsonNode? node;
        try { node = JsonNode.Parse(File.ReadAllText(path), null, new JsonDocumentOptions { AllowDuplicateProperties = false }); }
        catch (JsonException e) { throw new Data.DataException($"{path}: not valid JSON ({e.Message}); restore it from a copy or move it away."); }
        var entries = node is JsonArray a ? a.Where(n => n is not null).Select(n => n!).ToList() : node is null ? [] : [node];
        // The fields reports read by type: a damaged file is refused here, in one line, not mid-report.
        string fix = "restore it from a copy or move it away";
        for (int i = 0; i < entries.Count; i++)
        {
            if (entries[i] is not JsonObject entry) throw new Data.DataException($"{path}: entry {i + 1} is not an object {{ ... }}; {fix}.");
            foreach (string field in new[] { "torchThreads", "logicalCores", "elapsedSeconds" })
                if (entry[field] is { } value && (value.GetValueKind() != JsonValueKind.Number || !double.IsFinite(value.GetValue<double>())
                                                  || (field != "elapsedSeconds" && !value.AsValue().TryGetValue(out int _))))
                    throw new Data.DataException($"{path}: entry {i + 1}: {field} is {value.ToJsonString()}, not a {(field == "elapsedSeconds" ? "number" : "whole number")}; {fix}.");
            if (entry["commandLine"] is { } cl && (cl is not JsonArray args || args.Any(x => x?.GetValueKind() != JsonValueKind.String)))
                throw new Data.DataException($"{path}: entry {i + 1}: commandLine is not a list of strings; {fix}.");
        }
        return entries;
    }
}
