using SemiGan.Training;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

using SemiGan.Data;
using SemiGan.Methods;

namespace SemiGan.Config;

/// <summary>
/// One experiment definition (experiments/*.json). Loaded and validated once at the edge; unknown
/// fields are rejected so a typo never silently falls back to a default. The resolved copy (after
/// command-line overrides) is written beside every run's results.
/// </summary>
public sealed record ExperimentConfig
{
    public required string Name { get; init; }
    public string Description { get; init; } = "";
    /// <summary>A dataset of <see cref="Datasets"/> by name.</summary>
    public string Dataset { get; init; } = Datasets.Mnist.Name;
    /// <summary>Label counts (class-balanced: multiples of 10); a number or a list.</summary>
    [JsonConverter(typeof(OneOrManyConverter<int>))]
    public required int[] Labels { get; init; }
    public required int[] Seeds { get; init; }
    public required int Epochs { get; init; }
    /// <summary>"masked" and/or "streams" (see README); a string or a list.</summary>
    [JsonConverter(typeof(OneOrManyConverter<string>))]
    public string[] Protocol { get; init; } = ["masked"];
    /// <summary>"gan_logit" and/or "softmax11"; a string or a list.</summary>
    [JsonConverter(typeof(OneOrManyConverter<string>))]
    public string[] Head { get; init; } = ["gan_logit"];
    string[] methods = MethodRegistry.DefaultNames;

    /// <summary>Which methods to train (names from <see cref="MethodRegistry"/>).</summary>
    public string[] Methods { get => methods; init => methods = value; }

    /// <summary>The former name of <see cref="Methods"/>, read from older experiment and result files; never written.</summary>
    [JsonPropertyName("models"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string[]? Models { get => null; init { if (value is not null) methods = value; } }

    /// <summary>
    /// Per-method settings, by the name in <see cref="Methods"/>: a registered method's own settings (e.g. the
    /// supervised baseline's tuned learning rate), or a variant of one (<c>"method": "baseline"</c>) under a
    /// new name. See <see cref="MethodOptions"/>; config.json records every method's, resolved.
    /// </summary>
    public Dictionary<string, MethodOptions>? MethodSettings { get; init; }

    /// <summary>
    /// The method every other method's gain is computed against, paired by seed. Default: the registry's
    /// default reference when the experiment trains it, else none (no gains).
    /// </summary>
    public string? Reference { get; init; }
    /// <summary>
    /// Which gains a report computes, as [method, reference] pairs, e.g. [["sgan", "baseline"], ["sgan", "supervised"]].
    /// Default: every other method against <see cref="Reference"/>.
    /// </summary>
    public string[][]? Comparisons { get; init; }

    /// <summary>
    /// The primary comparisons, declared before the runs: the report applies Holm's correction within this family (over
    /// every experiment of the report that declares one) and reports every other test as secondary, with its own Holm.
    /// Each must be a gain the report computes (<see cref="GainPairs"/>) at label counts the experiment trains. Null: none
    /// declared. config.json records it; a folder with rows refuses a different list (<see cref="Results.RunOutput"/>).
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public PrimaryComparison[]? Primary { get; init; }

    /// <summary>
    /// An equivalence margin in percentage points, declared before the runs: the report then tests every gain it
    /// computes for equivalence by two one-sided paired t-tests (TOST) at α = 0.05 — equivalent when the 90% CI of the
    /// mean paired difference in final accuracy lies inside (−margin, +margin). Null: no equivalence test.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? EquivalenceMargin { get; init; }

    /// <summary>
    /// Written by the runner, never by hand: true when <see cref="Primary"/> was declared into a folder whose runs had
    /// already been made (its config.json predates the field), so the report says the family was not fixed in advance.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool PrimaryDeclaredAfterRuns { get; init; }

    /// <summary>Is this gain (method − reference at this label count) one of the declared primary comparisons?</summary>
    public bool IsPrimary(string method, string reference, int labels) =>
        Primary?.Any(p => p.Method == method && p.Versus == reference && p.Labels.Contains(labels)) ?? false;

    /// <summary>The gains a report computes: <see cref="Comparisons"/>, else every other method against the reference.</summary>
    public IReadOnlyList<(string Method, string Reference)> GainPairs() =>
        Comparisons is { } c ? c.Select(p => (p[0], p[1])).ToList()
        : Reference is { } r ? Methods.Where(m => m != r).Select(m => (m, r)).ToList() : [];

    public int BatchSize { get; init; } = 100;
    /// <summary>Class-balanced labeled training images held out for validation (0 = none), drawn by seed, disjoint from the labeled split.</summary>
    public int Validation { get; init; }
    /// <summary>Do validation images also count as unlabeled data? Default false: they are never trained on.</summary>
    public bool ValidationInUnlabeledPool { get; init; }
    /// <summary>Which epoch's test accuracy a report calls final: "last", or "best-validation" (the epoch of highest validation accuracy).</summary>
    public string Select { get; init; } = SelectRule.Last;
    /// <summary>Do labeled images also count as unlabeled data? The masked protocol requires true (one dataset, a label mask).</summary>
    public bool LabeledInUnlabeledPool { get; init; } = true;
    /// <summary>Training images to use (0 = all). For quick runs; the labeled split is drawn from this prefix.</summary>
    public int TrainLimit { get; init; }
    public int LatentDim { get; init; } = 100;
    public double Dropout { get; init; } = 0.3;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public int EvalBatchSize { get; init; } = 1000;
    /// <summary>
    /// Evaluate the test set after every epoch (default). False (tuning, <c>semigan tune</c>): the test set is never
    /// evaluated, its columns stay empty, no confusion matrix is written and <c>semigan eval</c> refuses the folder,
    /// so no choice made from the folder can have looked at test figures.
    /// </summary>
    public bool EvaluateTest { get; init; } = true;
    /// <summary>Generator samples in the sample grid (0 = none).</summary>
    public int SampleCount { get; init; } = 64;

    /// <summary>
    /// The grid, in run order: label count, then protocol, head, seed, method (outermost first), so
    /// all methods of a seed run back to back on the same split.
    /// </summary>
    public IEnumerable<RunSpec> Runs() =>
        from labels in Labels
        from protocol in Protocol
        from head in Head
        from seed in Seeds
        from method in Methods
        select new RunSpec(labels, ProtocolNames.Parse(protocol), SemiGan.Models.KPlusOneHeadNames.Parse(head), seed, method) { Dataset = Dataset };

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = true,
    };

    public static ExperimentConfig Load(string path) => Load(path, []);

    /// <summary>
    /// The file with <c>--set</c> overrides applied to its JSON before it is read, so they are checked exactly like
    /// the file; an error in a field an override sets names that override.
    /// </summary>
    public static ExperimentConfig Load(string path, IReadOnlyList<ConfigOverride> overrides)
    {
        if (!File.Exists(path)) throw new ConfigException($"{path}: experiment file not found; pass a file from experiments/.");
        JsonObject root;
        try
        {
            string text = File.ReadAllText(path);
            // JsonNode would fail on first access to the object (an internal error), and the serializer would keep one value silently.
            if (JsonDuplicates.Describe(text, path) is { } duplicate) throw new ConfigException(duplicate + "; fix the experiment file.");
            root = JsonNode.Parse(text, null, new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new ConfigException($"{path}: must hold a JSON object {{ ... }}; fix the experiment file.");
        }
        catch (JsonException e) { throw new ConfigException($"{path}: {Describe(e)}; fix the experiment file."); }
        foreach (var o in overrides) o.ApplyTo(root);
        string SourceOf(string field) => overrides.LastOrDefault(o => o.Covers(field))?.ToString()
            ?? (overrides.Count == 0 ? path : $"{path} with {string.Join(" ", overrides)}");
        return FromJson(root, path, SourceOf, overrides);
    }

    /// <summary>
    /// An experiment from its JSON (a file's with its overrides applied, or one `semigan tune` built): tuned settings
    /// (settingsFrom) resolved, grid axes expanded, read and validated. Errors name the source of the bad field.
    /// </summary>
    public static ExperimentConfig FromJson(JsonObject root, string path, Func<string, string> SourceOf, IReadOnlyList<ConfigOverride>? overrides = null)
    {
        overrides ??= [];
        // JSON numbers past double's range read as infinity, which no check below refuses and nothing can write back.
        if (NonFiniteNumber(root, "") is var (field, number))
            throw new ConfigException($"{SourceOf(field)}: {field}: {(number.Length > 40 ? number[..40] + "…" : number)} is out of range for a number; give a finite number.");
        // A hyperparameter set from the command line names its runs, as a one-value grid axis would ("sgan-lr0.001").
        foreach (var o in overrides)
            if (GridAxes.Fields.Any(f => f.Field == o.Key) && root[o.Key] is JsonValue v && v.TryGetValue(out double _))
                root[o.Key] = new JsonArray(v.DeepClone());
        TunedSettings.ResolveSettingsFrom(root, SourceOf);
        GridAxes.Expand(root, overrides.Count == 0 ? path : $"{path} with {string.Join(" ", overrides)}");
        ExperimentConfig? cfg;
        try { cfg = root.Deserialize<ExperimentConfig>(Json); }
        catch (JsonException e)
        {
            string source = SourceOf(FieldOf(e)), message = Describe(e);
            throw new ConfigException($"{source}: {message}; " + (!source.StartsWith("--set", StringComparison.Ordinal) ? "fix the experiment file."
                : message.StartsWith("unknown field", StringComparison.Ordinal) ? "fix the key (field names are case-sensitive)."
                : "give a value of the field's type (numbers and true/false as they are, lists as [1,2] or [a,b])."));
        }
        // A \uD800-\uDFFF escape without its pair is valid JSON text but no string: System.Text.Json throws this, not a JsonException.
        catch (InvalidOperationException e) when (e.Message.Contains("UTF-16", StringComparison.Ordinal))
        {
            throw new ConfigException($"{(overrides.Count == 0 ? path : $"{path} with {string.Join(" ", overrides)}")}: a string holds an unpaired UTF-16 surrogate escape (\\uD800-\\uDFFF without its pair); fix the string.");
        }
        return (cfg ?? throw new ConfigException($"{path}: empty experiment file.")).Validated(SourceOf);
    }

    /// <summary>The path and text of the first number in <paramref name="node"/> that is infinite as a double, or null.</summary>
    static (string Path, string Text)? NonFiniteNumber(JsonNode? node, string path)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, child) in o)
                    if (NonFiniteNumber(child, path.Length == 0 ? key : $"{path}.{key}") is { } found) return found;
                return null;
            case JsonArray a:
                for (int i = 0; i < a.Count; i++)
                    if (NonFiniteNumber(a[i], $"{path}[{i}]") is { } found) return found;
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number:
                string text = v.ToJsonString();
                return double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out double d) && double.IsFinite(d) ? null : (path, text);
            default:
                return null;
        }
    }

    /// <summary>The JSON field names this record accepts, in declaration order.</summary>
    public static IEnumerable<string> FieldNames =>
        typeof(ExperimentConfig).GetProperties()
            // Not the former name "models"; fields written only when set (primary) are fields all the same.
            .Where(p => p.CanWrite && p.Name != nameof(Models) && p.GetCustomAttributes(typeof(JsonIgnoreAttribute), false).Cast<JsonIgnoreAttribute>().All(a => a.Condition != JsonIgnoreCondition.Always))
            .Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name));

    /// <summary>This config with defaults that depend on other fields filled in (what config.json records).</summary>
    ExperimentConfig Resolved() => this with
    {
        Reference = Reference ?? (Methods.Contains(MethodRegistry.DefaultReference.Name) && Methods.Length > 1 ? MethodRegistry.DefaultReference.Name : null),
        MethodSettings = Methods.ToDictionary(m => m, ResolvedOptions),
    };

    /// <summary>
    /// The experiment with every method at <paramref name="precision"/> (<c>--precision</c>): for bf16 each method m that is
    /// not bf16 already becomes the variant "m-bf16" (its settings, plus the precision), and the reference and comparisons
    /// follow, so every run id, CSV row and report names the precision. fp32: unchanged.
    /// </summary>
    public ExperimentConfig InPrecision(string precision)
    {
        if (precision == "fp32") return this;
        if (precision != "bf16") throw new ConfigException($"--precision: '{precision}' is not one of fp32, bf16.");
        var renamed = Methods.ToDictionary(m => m, m => SettingsOf(m).Precision == SemiGan.Models.Precision.Bf16 ? m : $"{m}-{precision}");
        var settings = new Dictionary<string, MethodOptions>(MethodSettings ?? []);
        foreach (var (m, name) in renamed.Where(kv => kv.Key != kv.Value))
        {
            var entry = settings.GetValueOrDefault(m) ?? new MethodOptions();
            settings.Remove(m);
            settings[name] = entry with { Method = MethodOf(m).Name, Precision = precision, DisplayName = $"{DisplayName(m)}, {precision}" };
        }
        return this with
        {
            Methods = Methods.Select(m => renamed[m]).ToArray(),
            MethodSettings = settings,
            Reference = Reference is { } r && renamed.TryGetValue(r, out var rr) ? rr : Reference,
            Comparisons = Comparisons?.Select(pair => pair.Select(m => renamed.GetValueOrDefault(m, m)).ToArray()).ToArray(),
            Primary = Primary?.Select(p => p with { Method = renamed.GetValueOrDefault(p.Method, p.Method), Versus = renamed.GetValueOrDefault(p.Versus, p.Versus) }).ToArray(),
        };
    }

    /// <summary>The registered method a name of <see cref="Methods"/> runs (itself, or the one its variant names).</summary>
    public IMethod MethodOf(string name) =>
        MethodRegistry.Find(MethodSettings?.GetValueOrDefault(name)?.Method ?? name)
        ?? throw new ArgumentException($"methods: '{name}' is neither a method ({MethodRegistry.Names}) nor a variant with a methodSettings entry naming one");

    /// <summary>As in reports: the entry's displayName, else the method's (with the variant's name for a variant).</summary>
    public string DisplayName(string name)
    {
        var m = MethodOf(name);
        return MethodSettings?.GetValueOrDefault(name)?.DisplayName ?? (m.Name == name ? m.DisplayName : $"{m.DisplayName} ({name})");
    }

    /// <summary>A method's settings for one run: its methodSettings entry, over its recipe defaults, over the top-level fields.</summary>
    public SemiGan.Methods.MethodSettings SettingsOf(string name)
    {
        var o = ResolvedOptions(name);
        var architecture = SemiGan.Models.Architectures.Parse(o.Architecture!);
        return new()
        {
            Architecture = architecture,
            Dropout = o.Dropout ?? 0, LearningRate = o.LearningRate!.Value, Beta1 = o.Beta1!.Value, Beta2 = o.Beta2!.Value,
            WeightDecay = o.WeightDecay!.Value, LinearDecay = o.LrDecay == "linear", Ema = o.Ema!.Value,
            Precision = o.Precision == "bf16" ? SemiGan.Models.Precision.Bf16 : SemiGan.Models.Precision.Fp32,
            LatentDim = LatentDim, SampleCount = SampleCount, Epochs = Epochs,
            Own = OwnOptions.Bind(MethodOf(name), o.Own, architecture).Options,
        };
    }

    /// <summary>Every option the method accepts, resolved (its own ones in full); <c>method</c> only for a variant.</summary>
    MethodOptions ResolvedOptions(string name)
    {
        var entry = MethodSettings?.GetValueOrDefault(name) ?? new MethodOptions();
        var method = MethodOf(name);
        var top = new MethodOptions
        {
            Architecture = "cnn", LearningRate = LearningRate, Beta1 = Beta1, Beta2 = Beta2, WeightDecay = 0, Dropout = Dropout,
            LrDecay = "none", Ema = 0,
        };
        var all = entry.Over(method.Defaults).Over(top);
        var architecture = SemiGan.Models.Architectures.Parse(all.Architecture!);
        bool mlp = architecture == SemiGan.Models.Architecture.Mlp; // no dropout in its discriminator: the option does not apply
        var own = OwnOptions.Bind(method, all.Own, architecture).Options;
        return all with
        {
            Method = method.Name == name ? null : method.Name,
            Dropout = mlp ? null : all.Dropout,
            Precision = all.Precision == "fp32" ? null : all.Precision, // fp32 is not written: config.json files stay as before bf16
            Own = own is null ? null : OwnOptions.Resolved(own, architecture),
        };
    }

    static string FieldOf(JsonException e) => e.Path is { Length: > 2 } p ? p.TrimStart('$', '.').Split('[')[0] : "";

    /// <summary>One line for a JSON error: the field concerned and what is allowed.</summary>
    static string Describe(JsonException e)
    {
        string field = FieldOf(e);
        string msg = e.Message.Split(". Path:")[0].TrimEnd('.');
        if (msg.Contains("could not be mapped", StringComparison.Ordinal) && field == "primary")
            return $"unknown field in '{e.Path?.TrimStart('$', '.')}'; a primary entry has the fields method, versus, labels, e.g. {{\"method\": \"sgan\", \"versus\": \"supervised\", \"labels\": 100}}";
        if (msg.Contains("missing required properties", StringComparison.Ordinal) && field == "primary")
            return $"'{e.Path?.TrimStart('$', '.')}' must give method, versus and labels, e.g. {{\"method\": \"sgan\", \"versus\": \"supervised\", \"labels\": 100}}";
        if (msg.Contains("could not be mapped", StringComparison.Ordinal))
            return field.StartsWith("methodSettings.", StringComparison.Ordinal)
                ? $"unknown field '{field}'; allowed fields of a methodSettings entry: {string.Join(", ", MethodOptions.Common)}, and per method {string.Join("; ", MethodRegistry.All.Where(m => OwnOptions.Names(m).Count > 0).Select(m => $"{m.Name}: {string.Join(", ", OwnOptions.Names(m))}"))}"
                : $"unknown field '{field}'; allowed fields: {string.Join(", ", FieldNames)}";
        if (msg.Contains("missing required properties", StringComparison.Ordinal))
            return $"missing required field(s): {msg[(msg.IndexOf("including:", StringComparison.Ordinal) + 10)..].Trim()} (required: name, labels, seeds, epochs)";
        if (msg.Contains("could not be converted to ", StringComparison.Ordinal) && TypeInWords(msg) is { } expected)
            msg = $"must be {expected}" + (ChoicesOf(field) is { } choices ? $", one of {choices}" : "");
        return field.Length > 0 ? $"{field}: {msg}" : msg;
    }

    // A field of fixed choices names them even when the value has the wrong JSON type (e.g. "bnStats": 1).
    static string? ChoicesOf(string field) => field.Split('.')[^1] switch
    {
        "architecture" => string.Join(", ", SemiGan.Models.Architectures.Names),
        "method" => MethodRegistry.Names,
        "select" => string.Join(", ", SelectRule.Names),
        "dataset" => string.Join(", ", Datasets.Names),
        var f => MethodOptions.ChoicesOf(f) is { } names ? string.Join(", ", names) : null,
    };

    // System.Text.Json names the target .NET type ("System.Nullable`1[System.Boolean]"); a user needs the JSON kind.
    static string? TypeInWords(string msg)
    {
        string type = msg[(msg.IndexOf("could not be converted to ", StringComparison.Ordinal) + 26)..];
        if (type.Contains("Dictionary", StringComparison.Ordinal)) return "an object ({ ... })";
        if (type.EndsWith("[]", StringComparison.Ordinal) || type.Contains("List", StringComparison.Ordinal)) return null;
        return type.Contains("Boolean", StringComparison.Ordinal) ? "true or false"
            : type.Contains("Int32", StringComparison.Ordinal) || type.Contains("Int64", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("Double", StringComparison.Ordinal) || type.Contains("Single", StringComparison.Ordinal) ? "a number"
            : type.Contains("String", StringComparison.Ordinal) ? "a string in quotes"
            : null;
    }

    /// <summary>Throws <see cref="ConfigException"/> naming the first bad field; returns this when valid.</summary>
    public ExperimentConfig Validated(string source = "experiment") => Validated(_ => source);

    /// <summary>As <see cref="Validated(string)"/>, the message's source chosen by the bad field (e.g. the --set that gave it).</summary>
    public ExperimentConfig Validated(Func<string, string> sourceOf)
    {
        [System.Diagnostics.CodeAnalysis.DoesNotReturn]
        void Fail(string field, string msg) => throw new ConfigException($"{sourceOf(field)}: {field}: {msg}");
        if (string.IsNullOrWhiteSpace(Name) || Name.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0 || Name.Contains('/'))
            Fail("name", $"'{Name}' must be a non-empty file-name-safe string");
        var dataset = Datasets.All.FirstOrDefault(d => d.Name == Dataset);
        if (dataset is null) Fail("dataset", $"'{Dataset}' is not one of {string.Join(", ", Datasets.Names)}");
        int trainSize = TrainLimit > 0 ? Math.Min(TrainLimit, dataset.TrainCount) : dataset.TrainCount;
        if (TrainLimit < 0) Fail("trainLimit", $"{TrainLimit} must be 0 (all) or positive");
        if (Labels is null || Labels.Length == 0) Fail("labels", "must give at least one label count");
        if (Labels.Distinct().Count() != Labels.Length) Fail("labels", "must not repeat a label count");
        foreach (int n in Labels)
        {
            if (n <= 0 || n % dataset.Classes != 0) Fail("labels", $"{n} must be a positive multiple of {dataset.Classes} (class-balanced split)");
            if (n > trainSize) Fail("labels", $"{n} is larger than the training set ({trainSize})");
        }
        if (Seeds is null || Seeds.Length == 0) Fail("seeds", "must list at least one seed");
        if (Seeds.Distinct().Count() != Seeds.Length) Fail("seeds", "must not repeat a seed");
        if (Epochs <= 0) Fail("epochs", $"{Epochs} must be positive");
        // Batch norm in training mode needs two images to normalise over (the generator's first one has no
        // spatial extent); at 1 libtorch fails mid-run or floods the log with warnings.
        if (BatchSize < 2) Fail("batchSize", $"{BatchSize} must be at least 2: batch norm normalises over the images of a batch");
        if (EvalBatchSize <= 0) Fail("evalBatchSize", $"{EvalBatchSize} must be positive");
        if (Protocol is null || Protocol.Length == 0 || Protocol.Distinct().Count() != Protocol.Length)
            Fail("protocol", "must be one or more distinct values from masked, streams");
        foreach (var p in Protocol) if (p is not ("masked" or "streams")) Fail("protocol", $"'{p}' is not one of masked, streams");
        if (Head is null || Head.Length == 0 || Head.Distinct().Count() != Head.Length)
            Fail("head", "must be one or more distinct values from gan_logit, softmax11");
        foreach (var h in Head) if (h is not ("gan_logit" or "softmax11")) Fail("head", $"'{h}' is not one of gan_logit, softmax11");
        if (Methods is null || Methods.Length == 0 || Methods.Distinct().Count() != Methods.Length)
            Fail("methods", $"[{string.Join(", ", Methods ?? [])}] must be a non-empty list of distinct methods ({MethodRegistry.Names}) or variants named in methodSettings");
        if (Reference is not null && !Methods.Contains(Reference) && MethodRegistry.Find(Reference) is null)
            Fail("reference", $"'{Reference}' is not one of {MethodRegistry.Names}");
        if (Reference is not null && !Methods.Contains(Reference))
            Fail("reference", $"'{Reference}' is not trained by this experiment; add it to methods [{string.Join(", ", Methods)}] or name one of those");
        foreach (var pair in Comparisons ?? [])
        {
            if (pair is not { Length: 2 } || pair[0] == pair[1])
                Fail("comparisons", "each entry must be a pair of two different methods, [method, reference], e.g. [\"sgan\", \"baseline\"]");
            if (pair.FirstOrDefault(m => !Methods.Contains(m)) is { } unknown)
                Fail("comparisons", $"'{unknown}' is not trained by this experiment; name one of [{string.Join(", ", Methods)}]");
        }
        if (Comparisons is { } cs && cs.Select(p => (p[0], p[1])).Distinct().Count() != cs.Length) Fail("comparisons", "must not repeat a pair");
        if (Primary is { } primary)
        {
            var pairs = GainPairs();
            string Computed() => pairs.Count == 0 ? "none (set reference or comparisons)" : string.Join(", ", pairs.Select(p => $"{p.Method} versus {p.Reference}"));
            if (primary.Length == 0) Fail("primary", "must list at least one comparison, or be left out (no primary family)");
            for (int i = 0; i < primary.Length; i++)
            {
                var p = primary[i];
                string at = $"primary[{i}]";
                if (p is null) Fail(at, "must be an object {\"method\": ..., \"versus\": ..., \"labels\": ...}");
                if (!Methods.Contains(p.Method)) Fail($"{at}.method", $"'{p.Method}' is not trained by this experiment; name one of [{string.Join(", ", Methods)}]");
                if (!Methods.Contains(p.Versus)) Fail($"{at}.versus", $"'{p.Versus}' is not trained by this experiment; name one of [{string.Join(", ", Methods)}]");
                if (!pairs.Contains((p.Method, p.Versus)))
                    Fail(at, $"{p.Method} versus {p.Versus} is not a gain the report computes (it computes: {Computed()}); add [\"{p.Method}\", \"{p.Versus}\"] to comparisons or name a computed pair");
                if (p.Labels is null || p.Labels.Length == 0) Fail($"{at}.labels", $"must give one or more of the experiment's label counts [{string.Join(", ", Labels)}]");
                foreach (int n in p.Labels)
                    if (!Labels.Contains(n)) Fail($"{at}.labels", $"{n} is not a label count of this experiment; name one of [{string.Join(", ", Labels)}]");
                if (p.Labels.Distinct().Count() != p.Labels.Length) Fail($"{at}.labels", "must not repeat a label count");
            }
            var keys = primary.SelectMany(p => p.Labels.Select(n => (p.Method, p.Versus, n))).ToList();
            if (keys.Distinct().Count() != keys.Count) Fail("primary", "must not declare the same comparison at the same label count twice");
        }
        if (EquivalenceMargin is { } margin && !(margin > 0 && margin < 100))
            Fail("equivalenceMargin", $"{margin.ToString(System.Globalization.CultureInfo.InvariantCulture)} must be a margin in percentage points above 0 and below 100, e.g. 0.3");
        if (PrimaryDeclaredAfterRuns && Primary is null) Fail("primaryDeclaredAfterRuns", "true needs a primary list; the runner sets this field, leave it out");
        if (Protocol.Contains("masked") && !LabeledInUnlabeledPool)
            Fail("labeledInUnlabeledPool", "false needs protocol 'streams': the masked protocol passes over all training images, labeled ones included");
        if (BatchSize > trainSize) Fail("batchSize", $"{BatchSize} is larger than the training set ({trainSize})");
        if (!LabeledInUnlabeledPool && trainSize - Labels.Max() < BatchSize)
            Fail("labeledInUnlabeledPool", $"false leaves {trainSize - Labels.Max()} unlabeled images, fewer than one batch ({BatchSize})");
        if (Validation < 0 || Validation % dataset.Classes != 0)
            Fail("validation", $"{Validation} must be 0 (none) or a positive multiple of {dataset.Classes} (class-balanced)");
        if (Validation > 0 && Labels.Max() + Validation > trainSize)
            Fail("validation", $"{Validation} held-out and {Labels.Max()} labeled images exceed the training set ({trainSize}); lower validation");
        if (Select is not (SelectRule.Last or SelectRule.BestValidation))
            Fail("select", $"'{Select}' is not one of {string.Join(", ", SelectRule.Names)}");
        if (Select == SelectRule.BestValidation && Validation == 0)
            Fail("select", $"'{SelectRule.BestValidation}' needs a validation split; set validation to a positive multiple of 10");
        if (ValidationInUnlabeledPool && Validation == 0)
            Fail("validationInUnlabeledPool", "true needs a validation split (validation > 0)");
        if (LatentDim <= 0) Fail("latentDim", $"{LatentDim} must be positive");
        if (Dropout is < 0 or >= 1) Fail("dropout", $"{Dropout} must be in [0, 1)");
        if (LearningRate <= 0) Fail("learningRate", $"{LearningRate} must be positive");
        if (Beta1 is < 0 or >= 1) Fail("beta1", $"{Beta1} must be in [0, 1)");
        if (Beta2 is < 0 or >= 1) Fail("beta2", $"{Beta2} must be in [0, 1)");
        if (SampleCount is < 0 or > 400) Fail("sampleCount", $"{SampleCount} must be in 0..400");
        // Per-method entries after the top-level fields: a grid axis copies a top-level value into every variant,
        // and its error then names the field it came from.
        foreach (var (key, entry) in MethodSettings ?? [])
        {
            if (entry is null) Fail($"methodSettings.{key}", "must be an object of settings");
            if (!Methods.Contains(key)) Fail($"methodSettings.{key}", $"'{key}' is not trained by this experiment; add it to methods [{string.Join(", ", Methods)}] or remove the entry");
            if (entry.Method is { } b && MethodRegistry.Find(b) is null) Fail($"methodSettings.{key}.method", $"'{b}' is not one of {MethodRegistry.Names}");
            if (entry.Method is null && MethodRegistry.Find(key) is null)
                Fail($"methodSettings.{key}", $"'{key}' is not a registered method; name the method it is a variant of, e.g. \"method\": \"{MethodRegistry.All[0].Name}\"");
            var method = MethodRegistry.Find(entry.Method ?? key)!;
            if (entry.FirstError() is { } error) Fail($"methodSettings.{key}.{error.Field}", error.Message);
            var architecture = SemiGan.Models.Architectures.Parse(entry.Architecture ?? method.Defaults.Architecture ?? "cnn");
            if (OwnOptions.Bind(method, entry.Own, architecture).Error is { } own) Fail($"methodSettings.{key}.{own.Field}", own.Message);
        }
        // Settings chosen on a seed's validation split are never evaluated on that seed (its labeled split and initial weights).
        foreach (var (key, entry) in MethodSettings ?? [])
            if (entry?.TunedFrom is { } tuned && Seeds.Intersect(tuned.Seeds).Any())
                Fail($"methodSettings.{key}.settingsFrom", $"the experiment's seeds [{string.Join(",", Seeds)}] overlap the tuning seeds [{string.Join(",", tuned.Seeds)}] of {tuned.Path}; evaluate tuned settings on other seeds");
        foreach (var m in Methods)
            if (MethodRegistry.Find(m) is null && MethodSettings?.GetValueOrDefault(m)?.Method is null)
                Fail("methods", $"'{m}' is neither a method ({MethodRegistry.Names}) nor a variant: add a methodSettings entry \"{m}\": {{ \"method\": ... }}");
        foreach (var m in Methods)
        {
            var method = MethodRegistry.Find(MethodSettings?.GetValueOrDefault(m)?.Method ?? m)!;
            if (Head.FirstOrDefault(h => !method.Heads.Contains(h)) is { } head)
                Fail("head", $"'{head}' cannot train {m} ({method.Name} is defined for {string.Join(", ", method.Heads)}); set head to {string.Join(" or ", method.Heads)} or train {m} in an experiment of its own");
        }
        return Resolved();
    }

    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>
/// One declared primary comparison: the gain of <see cref="Method"/> over <see cref="Versus"/> at each of <see cref="Labels"/>
/// (a number or a list), at every protocol and head the experiment trains.
/// </summary>
public sealed record PrimaryComparison
{
    public required string Method { get; init; }
    public required string Versus { get; init; }
    [JsonConverter(typeof(OneOrManyConverter<int>))]
    public required int[] Labels { get; init; }

    public override string ToString() => $"{Method} versus {Versus} at {string.Join(", ", Labels)} labels";
}

/// <summary>How a report picks each run's final epoch. The test set never chooses anything.</summary>
public static class SelectRule
{
    public const string Last = "last", BestValidation = "best-validation";
    public static readonly string[] Names = [Last, BestValidation];

    public static string Describe(string rule) => rule == BestValidation
        ? "the epoch with the highest validation accuracy (the latest such epoch on a tie); its test accuracy is reported"
        : "the last epoch";
}
