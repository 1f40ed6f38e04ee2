using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SemiGan.Methods;

namespace SemiGan.Config;

/// <summary>One trial of a search as a tuned-settings file records it: its values and each tuning seed's figures.</summary>
/// <param name="Mean">Mean over the tuning seeds of each run's validation accuracy at its selected epoch; null unless every run finished.</param>
public sealed record TrialResult(string Name, JsonObject Values, TrialRun[] Runs, double? Mean)
{
    /// <summary>Under mean-validation-stable, why the trial did not compete (its runs' collapses); null otherwise.</summary>
    public string? Excluded { get; init; }
}

/// <summary>One run of a trial: its seed, how it ended (finished, diverged, unfinished), its selected epoch and that epoch's validation accuracy.</summary>
public sealed record TrialRun(int Seed, string Status, int? Epoch, double? ValidationAccuracy);

/// <summary>
/// The outcome of `semigan tune` for one method at one (dataset, label count): <c>tuned/&lt;method&gt;-&lt;dataset&gt;-&lt;labels&gt;.json</c>.
/// It holds the search (space, fixed values, budget, seeds, rule), every trial's validation figures, the winner and its
/// settings as a methodSettings entry. An experiment takes them with <c>"settingsFrom": "&lt;this file&gt;"</c>.
/// </summary>
public sealed record TunedSettings
{
    public required string Method { get; init; }
    public required string Dataset { get; init; }
    public required int Labels { get; init; }
    /// <summary>The tune file's name and path, as given to `semigan tune`.</summary>
    public required string Tune { get; init; }
    public required string TuneFile { get; init; }
    public required string Search { get; init; }
    public int? SearchSeed { get; init; }
    /// <summary>Trials allowed to this method; <see cref="OwnBudget"/> when the method stated its own instead of the file's.</summary>
    public required int Budget { get; init; }
    public bool OwnBudget { get; init; }
    public required JsonObject Space { get; init; }
    public JsonObject? Fixed { get; init; }
    /// <summary>The experiment settings every trial ran under (config.json's, without names, seeds and methods).</summary>
    public required JsonObject Experiment { get; init; }
    public required int[] Seeds { get; init; }
    public required string Rule { get; init; }
    public required TrialResult[] Trials { get; init; }
    /// <summary>The winning trial by <see cref="Rule"/>; null when no trial finished on every seed.</summary>
    public string? Winner { get; init; }
    /// <summary>The winner's settings (fixed values and its trial's), as a methodSettings entry without "method".</summary>
    public JsonObject? Settings { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>Writes the file atomically (a reader never sees half of it).</summary>
    public void Write(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        string tmp = path + ".tmp";
        File.WriteAllText(tmp, JsonSerializer.Serialize(this, Json) + "\n");
        File.Move(tmp, path, overwrite: true);
    }

    /// <summary>
    /// The file at <paramref name="path"/> and the SHA-256 of its bytes. A missing, unreadable or malformed file is a
    /// <see cref="ConfigException"/> (exit 2) naming <paramref name="field"/>: the path is part of the experiment's
    /// configuration, as much as a value would be; it is not training data.
    /// </summary>
    public static (TunedSettings Settings, string Sha256) Read(string path, string field, string source)
    {
        string fix = "run semigan tune first, or fix the path (relative to the current folder)";
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            throw new ConfigException($"{source}: {field}: {path} cannot be read ({(e is FileNotFoundException or DirectoryNotFoundException ? "not found" : e.Message.TrimEnd('.'))}); {fix}.");
        }
        string text = System.Text.Encoding.UTF8.GetString(bytes);
        string notTuned = $"{source}: {field}: {path} is not a tuned-settings file written by semigan tune";
        if (JsonDuplicates.Find(text) is not null) throw new ConfigException($"{notTuned} (a key is given twice); {fix}.");
        TunedSettings? tuned;
        try { tuned = JsonSerializer.Deserialize<TunedSettings>(text, Json); }
        catch (Exception e) when (e is JsonException or InvalidOperationException) { throw new ConfigException($"{notTuned} ({Usage(e)}); {fix}."); }
        if (tuned is null || tuned.Seeds is null || tuned.Method is null) throw new ConfigException($"{notTuned}; {fix}.");
        return (tuned, Convert.ToHexStringLower(SHA256.HashData(bytes)));
    }

    static string Usage(Exception e) => e.Message.Split(". Path:")[0].Split('\n')[0].TrimEnd('.');

    /// <summary>
    /// Replaces every methodSettings entry that names <c>settingsFrom</c> by the file's winning settings under the entry's
    /// own explicit values, with <see cref="MethodOptions.TunedFrom"/> recording the file (path, SHA-256, tuning seeds).
    /// Done on the JSON before it is read, so the result is checked like any entry.
    /// </summary>
    public static void ResolveSettingsFrom(JsonObject root, Func<string, string> sourceOf)
    {
        if (root["methodSettings"] is not JsonObject settings) return;
        foreach (var (key, node) in settings.ToList())
        {
            if (node is not JsonObject entry || !entry.TryGetPropertyValue("settingsFrom", out var from)) continue;
            string field = $"methodSettings.{key}.settingsFrom", source = sourceOf(field);
            if (from is not JsonValue v || !v.TryGetValue(out string? path) || path.Length == 0)
                throw new ConfigException($"{source}: {field}: must be the path of a tuned-settings file in quotes, e.g. \"results/tune-mnist-100/tuned/supervised-mnist-100.json\"");
            if (entry.ContainsKey("tunedFrom"))
                throw new ConfigException($"{source}: methodSettings.{key}: gives both settingsFrom and tunedFrom; keep settingsFrom (SemiGan writes tunedFrom when it resolves it)");
            var (tuned, sha) = Read(path, field, source);
            string method = entry["method"] is JsonValue m && m.TryGetValue(out string? named) ? named : key;
            if (tuned.Method != method)
                throw new ConfigException($"{source}: {field}: {path} holds settings tuned for {tuned.Method}, and this entry trains {method}; name a file tuned for {method}");
            if (tuned.Settings is null)
                throw new ConfigException($"{source}: {field}: {path} has no winner (no trial finished on every tuning seed, or every one that did collapsed under mean-validation-stable); tune again, or give the settings by hand");
            var merged = (JsonObject)tuned.Settings.DeepClone();
            foreach (var (k, value) in entry)
                if (k != "settingsFrom") merged[k] = value?.DeepClone();
            merged["tunedFrom"] = JsonSerializer.SerializeToNode(new TunedSource(path, sha, tuned.Seeds), ExperimentConfig.Json);
            settings[key] = merged;
        }
    }
}
