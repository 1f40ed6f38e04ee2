using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using SemiGan.Methods;

namespace SemiGan.Config;

/// <summary>One method's search in a tune file: the values to try per option, the options held fixed, and optionally its own budget.</summary>
public sealed record TuneMethod
{
    /// <summary>Option (common or the method's own) → the values to try, in order.</summary>
    public required Dictionary<string, JsonElement[]> Space { get; init; }
    public Dictionary<string, JsonElement>? Fixed { get; init; }
    /// <summary>This method's budget instead of the file's (the tuned file then flags it).</summary>
    public int? Trials { get; init; }
}

/// <summary>One point of a search: a variant "&lt;method&gt;~tNN" of the method with these option values.</summary>
public sealed record Trial(string Name, string Method, JsonObject Values);

/// <summary>
/// A tune file (`semigan tune`): validation-only tuning with the same trial budget for every method. It names the
/// experiment's settings (<c>experiment</c>, or an experiment file as <c>base</c>), the tuning seeds, each method's
/// search space and fixed options, the budget (<c>trials</c>), the search (grid, or random with <c>searchSeed</c>) and
/// the rule that picks the winner. <see cref="Load"/> turns it into one ordinary experiment whose methods are the
/// trials, run like any other (resume, --jobs, shards), with the test set never evaluated.
/// </summary>
public sealed record TuneFile
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>An experiment file whose settings are taken (its name, seeds, methods and method settings are not).</summary>
    public string? Base { get; init; }
    /// <summary>Experiment fields (over <see cref="Base"/>'s): dataset, labels (one count), protocol, epochs, validation, select, …</summary>
    public JsonObject? Experiment { get; init; }
    public required int[] Seeds { get; init; }
    public required Dictionary<string, TuneMethod> Methods { get; init; }
    public required int Trials { get; init; }
    public string Search { get; init; } = Grid;
    public int SearchSeed { get; init; } = 1;
    public string Rule { get; init; } = MeanValidation;

    public const string Grid = "grid", Random = "random", MeanValidation = "mean-validation", MeanValidationStable = "mean-validation-stable";

    /// <summary>The most trials a method may get (each is a variant with its own runs).</summary>
    public const int MaxTrials = 999;

    /// <summary>The rule in words (docs/experiments.md, "Tuning").</summary>
    public const string RuleText = "the highest mean, over the tuning seeds, of each run's validation accuracy at its selected epoch " +
                                   "(the experiment's select rule); only trials whose runs all finished compete; a tie goes to the earlier-listed trial";

    /// <summary>
    /// mean-validation-stable: as <see cref="RuleText"/>, among trials none of whose runs collapses (validation accuracy falling
    /// by more than <see cref="Reports.Aggregation.CollapseDrop"/> from one epoch to the next). Best-validation selection hides
    /// a collapse in a run's figure, and a baseline that collapses mid-run is not a fair one (docs/collapse-diagnosis.md).
    /// </summary>
    public const string StableRuleText = RuleText + "; a trial any of whose runs drops by more than 10 pp in validation accuracy " +
                                         "from one epoch to the next (a collapse) does not compete";

    public static string RuleTextOf(string rule) => rule == MeanValidationStable ? StableRuleText : RuleText;

    /// <summary>Experiment fields a tune file sets elsewhere, or that tuning fixes.</summary>
    static readonly string[] NotInExperiment = ["name", "description", "seeds", "methods", "models", "methodSettings", "reference", "comparisons", "primary", "primaryDeclaredAfterRuns", "evaluateTest"];

    /// <summary>Options a search may not vary or fix: names, and where settings came from.</summary>
    static readonly string[] NotAnOption = ["method", "displayName", "tunedFrom", "settingsFrom"];

    static readonly JsonSerializerOptions Strict = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>The budget of a method: its own <c>trials</c>, else the file's.</summary>
    public int BudgetOf(string method) => Methods[method].Trials ?? Trials;

    /// <summary>The tune file at <paramref name="path"/>, checked, with its trials and the experiment that runs them.</summary>
    public static TuneSetup Load(string path)
    {
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        void Fail(string field, string message) => throw new ConfigException($"{path}: {field}: {message}");
        if (!File.Exists(path)) throw new ConfigException($"{path}: tune file not found; pass a file from experiments/, e.g. experiments/tune-mnist-100.json.");
        string text = File.ReadAllText(path);
        if (JsonDuplicates.Describe(text, path) is { } duplicate) throw new ConfigException(duplicate + "; fix the tune file.");
        TuneFile? tune;
        try { tune = JsonSerializer.Deserialize<TuneFile>(text, Strict); }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "";
            string msg = e.Message.Split(". Path:")[0].TrimEnd('.');
            if (msg.Contains("could not be mapped", StringComparison.Ordinal))
                msg = field.Contains('.') ? $"unknown field; a method's search has space, fixed and trials" : "unknown field; allowed fields: name, description, base, experiment, seeds, methods, trials, search, searchSeed, rule";
            else if (msg.Contains("missing required properties", StringComparison.Ordinal)) msg = "missing required field(s) (required: name, seeds, methods, trials)";
            throw new ConfigException($"{path}: {(field.Length > 0 ? field + ": " : "")}{msg}; fix the tune file.");
        }
        catch (InvalidOperationException) { throw new ConfigException($"{path}: a string holds an unpaired UTF-16 surrogate escape; fix the string."); }
        if (tune is null) throw new ConfigException($"{path}: empty tune file.");
        if (string.IsNullOrWhiteSpace(tune.Name) || tune.Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || tune.Name.Contains('/'))
            Fail("name", $"'{tune.Name}' must be a non-empty file-name-safe string");
        if (tune.Seeds is null || tune.Seeds.Length == 0 || tune.Seeds.Distinct().Count() != tune.Seeds.Length) Fail("seeds", "must list distinct tuning seeds, e.g. [1001, 1002]");
        if (tune.Trials is < 1 or > MaxTrials) Fail("trials", $"{tune.Trials} must be in 1..{MaxTrials} (the trials each method gets)");
        if (tune.Search is not (Grid or Random)) Fail("search", $"'{tune.Search}' is not one of {Grid}, {Random}");
        if (tune.Rule is not (MeanValidation or MeanValidationStable)) Fail("rule", $"'{tune.Rule}' is not one of {MeanValidation}, {MeanValidationStable}");
        if (tune.Methods is null || tune.Methods.Count == 0) Fail("methods", $"must name at least one method ({MethodRegistry.Names}) with its search, e.g. {{ \"supervised\": {{ \"space\": {{ \"learningRate\": [0.001, 0.003] }} }} }}");

        var experiment = ExperimentSettings(tune, path, Fail);
        var trials = new List<Trial>();
        foreach (var (name, search) in tune.Methods)
        {
            string at = $"methods.{name}";
            var method = MethodRegistry.Find(name) ?? throw new ConfigException($"{path}: {at}: '{name}' is not one of {MethodRegistry.Names}");
            if (search is null || search.Space is null || search.Space.Count == 0) Fail(at, "must give a space with at least one option and its values, e.g. \"space\": { \"learningRate\": [0.001, 0.003] }");
            if (search.Trials is < 1 or > MaxTrials) Fail($"{at}.trials", $"{search.Trials} must be in 1..{MaxTrials}");
            var fixedValues = new JsonObject();
            foreach (var (option, value) in search.Fixed ?? [])
            {
                CheckOption(method, option, $"{at}.fixed.{option}", Fail);
                if (search.Space.ContainsKey(option)) Fail($"{at}.fixed.{option}", "is also in the space; give it in one of the two");
                fixedValues[option] = JsonNode.Parse(value.GetRawText());
            }
            CheckValues(method, fixedValues, $"{at}.fixed", path);
            foreach (var (option, values) in search.Space)
            {
                CheckOption(method, option, $"{at}.space.{option}", Fail);
                if (values is null || values.Length == 0) Fail($"{at}.space.{option}", "must list at least one value, e.g. [0.001, 0.003]");
                if (values.Select(v => v.GetRawText()).Distinct().Count() != values.Length) Fail($"{at}.space.{option}", "must not repeat a value");
                for (int i = 0; i < values.Length; i++)
                {
                    var one = (JsonObject)fixedValues.DeepClone();
                    one[option] = JsonNode.Parse(values[i].GetRawText());
                    CheckValues(method, one, $"{at}.space.{option}[{i}]", path);
                }
            }
            // The grid's size first: a space of many options has more points than could ever be listed.
            long size = search.Space.Values.Aggregate(1L, (n, v) => n > MaxTrials * 1000L ? n : n * v.Length);
            int budget = tune.BudgetOf(name);
            string sizeText = size > MaxTrials * 1000L ? $"more than {MaxTrials * 1000L}" : size.ToString(CultureInfo.InvariantCulture);
            if (size > MaxTrials * 1000L)
                Fail($"{at}.space", $"has {sizeText} points; list fewer values (a search tries at most {MaxTrials} of them)");
            if (size > budget && tune.Search == Grid)
                Fail(at, $"the grid has {sizeText} points, more than trials ({budget}); raise trials to {sizeText}, remove values from the space, or use \"search\": \"random\"");
            IEnumerable<long> indices = Enumerable.Range(0, (int)Math.Min(size, budget)).Select(i => (long)i);
            if (size > budget)
            {
                // Random search: `budget` distinct points of the grid, drawn uniformly with a seeded generator, kept in grid order.
                var rng = new System.Random(tune.SearchSeed);
                var drawn = new HashSet<long>();
                while (drawn.Count < budget) drawn.Add(rng.NextInt64(size));
                indices = drawn.Order();
            }
            var points = indices.Select(i => Point(search.Space, i)).ToList();
            for (int i = 0; i < points.Count; i++) trials.Add(new Trial($"{name}~t{i + 1:D2}", name, points[i]));
        }

        // The experiment: the settings, the tuning seeds, every trial as a variant (fixed values, then its own), no test set.
        var root = (JsonObject)experiment.DeepClone();
        root["name"] = tune.Name;
        root["description"] = tune.Description.Length > 0 ? tune.Description : $"Tuning ({path}): {tune.Search} search, {tune.Trials} trials per method, seeds {string.Join(",", tune.Seeds)}";
        root["seeds"] = new JsonArray(tune.Seeds.Select(s => (JsonNode)s).ToArray());
        root["methods"] = new JsonArray(trials.Select(t => (JsonNode)t.Name).ToArray());
        var settings = new JsonObject();
        foreach (var t in trials)
        {
            var entry = new JsonObject { ["method"] = t.Method };
            foreach (var (k, v) in tune.Methods[t.Method].Fixed ?? []) entry[k] = JsonNode.Parse(v.GetRawText());
            foreach (var (k, v) in t.Values) entry[k] = v?.DeepClone();
            settings[t.Name] = entry;
        }
        root["methodSettings"] = settings;
        root["evaluateTest"] = false;
        var config = ExperimentConfig.FromJson(root, path, _ => path);
        return new TuneSetup(tune, path, config, trials, experiment);
    }

    /// <summary>The experiment fields: <see cref="Base"/>'s file (without what a tune file sets itself), then <see cref="Experiment"/>'s over them.</summary>
    static JsonObject ExperimentSettings(TuneFile tune, string path, Action<string, string> fail)
    {
        var settings = new JsonObject();
        if (tune.Base is { } basePath)
        {
            ExperimentConfig.Load(basePath); // the base must itself be a valid experiment
            var baseRoot = (JsonObject)JsonNode.Parse(File.ReadAllText(basePath), null, new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true })!;
            foreach (var (k, v) in baseRoot)
                if (!NotInExperiment.Contains(k)) settings[k] = v?.DeepClone();
        }
        foreach (var (k, v) in tune.Experiment ?? [])
        {
            if (NotInExperiment.Contains(k))
                fail($"experiment.{k}", k == "evaluateTest" ? "is always false when tuning (the test set is never evaluated); remove it"
                    : $"is not an experiment setting of a tune file (name and seeds are the tune file's own, methods and their settings go in methods); remove it");
            settings[k] = v?.DeepClone();
        }
        if (tune.Base is null && tune.Experiment is null) fail("experiment", "give the experiment's settings (dataset, labels, protocol, epochs, validation, …) or a base experiment file");
        foreach (var (field, _) in GridAxes.Fields)
            if (settings[field] is JsonArray)
                fail($"experiment.{field}", "a list would make it a grid axis; put the values to try in a method's space");
        foreach (var field in new[] { "labels", "protocol", "head" })
            if (settings[field] is JsonArray { Count: not 1 })
                fail($"experiment.{field}", "takes one value when tuning (the tuned settings are per method, dataset and label count)");
        if (settings["validation"] is not JsonValue validation || !validation.TryGetValue(out int held) || held <= 0)
            fail("experiment.validation", "must be a positive number of held-out validation images: tuning chooses on validation accuracy only");
        return settings;
    }

    /// <summary>The point of the grid at <paramref name="index"/>, the grid listing every combination with the first option outermost.</summary>
    static JsonObject Point(Dictionary<string, JsonElement[]> space, long index)
    {
        var point = new JsonObject();
        foreach (var (option, values) in space.Reverse())
        {
            point[option] = JsonNode.Parse(values[index % values.Length].GetRawText());
            index /= values.Length;
        }
        return new JsonObject(space.Keys.Select(k => KeyValuePair.Create(k, point[k]?.DeepClone())));
    }

    static void CheckOption(IMethod method, string option, string field, Action<string, string> fail)
    {
        var allowed = MethodOptions.Common.Except(NotAnOption).Concat(OwnOptions.Names(method)).ToList();
        if (!allowed.Contains(option)) fail(field, $"is not an option of {method.Name}; its options: {string.Join(", ", allowed)}");
    }

    /// <summary>One method entry's values checked as an experiment would check them; the error names <paramref name="field"/>.</summary>
    static void CheckValues(IMethod method, JsonObject values, string field, string path)
    {
        MethodOptions? entry;
        try { entry = values.Deserialize<MethodOptions>(ExperimentConfig.Json); }
        catch (JsonException e) { throw new ConfigException($"{path}: {field}: {e.Message.Split(". Path:")[0].TrimEnd('.')}; fix the tune file."); }
        if (entry?.FirstError() is { } error) throw new ConfigException($"{path}: {field}: {error.Field}: {error.Message}");
        var architecture = Models.Architectures.Parse(entry!.Architecture ?? method.Defaults.Architecture ?? "cnn");
        if (OwnOptions.Bind(method, entry.Own, architecture).Error is { } own) throw new ConfigException($"{path}: {field}: {own.Field} {own.Message}");
    }
}

/// <summary>A loaded tune file: the file, its path, the experiment that runs its trials, the trials, and the experiment settings they share.</summary>
public sealed record TuneSetup(TuneFile File, string Path, ExperimentConfig Config, IReadOnlyList<Trial> Trials, JsonObject Experiment)
{
    /// <summary>Where a method's tuned settings go under the output folder: tuned/&lt;method&gt;[-mlp]-&lt;dataset&gt;-&lt;labels&gt;.json.</summary>
    public string TunedPath(string outFolder, string method)
    {
        var architecture = Config.SettingsOf(Trials.First(t => t.Method == method).Name).Architecture;
        string suffix = architecture == Models.Architecture.Cnn ? "" : "-" + Models.Architectures.Name(architecture); // the MLP's settings never pass for the CNN's
        return System.IO.Path.Combine(outFolder, "tuned", $"{method}{suffix}-{Config.Dataset}-{Config.Labels[0].ToString(CultureInfo.InvariantCulture)}.json");
    }
}
