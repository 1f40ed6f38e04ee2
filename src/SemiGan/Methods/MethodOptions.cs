using System.Globalization;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using SemiGan.Models;

namespace SemiGan.Methods;

/// <summary>The values an option may take: a list of words.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ChoicesAttribute(params string[] names) : Attribute
{
    public IReadOnlyList<string> Names => names;
}

/// <summary>The range a numeric option may take, each end open or closed.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RangeAttribute(double min, double max) : Attribute
{
    public double Min => min;
    public double Max => max;
    public bool MinOpen { get; init; }
    public bool MaxOpen { get; init; }
    /// <summary>Said after the range, e.g. "(0 = evaluate the raw weights)".</summary>
    public string? Note { get; init; }

    public bool Allows(double v) => (MinOpen ? v > min : v >= min) && (MaxOpen ? v < max : v <= max) && !double.IsNaN(v);

    public string Describe(double v)
    {
        string lo = min.ToString(CultureInfo.InvariantCulture), hi = max.ToString(CultureInfo.InvariantCulture);
        string range = double.IsPositiveInfinity(max)
            ? MinOpen && min == 0 ? "must be positive" : MinOpen ? $"must be above {lo}" : min == 0 ? "must be 0 or positive" : $"must be at least {lo}"
            : $"must be in {(MinOpen ? '(' : '[')}{lo}, {hi}{(MaxOpen ? ')' : ']')}";
        return $"{v.ToString(CultureInfo.InvariantCulture)} {range}" + (Note is null ? "" : $" {Note}");
    }
}

/// <summary>An option of batch-norm networks: the MLP has none, so it is left out of an MLP's settings, and only its default is allowed there.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class NeedsBatchNormAttribute : Attribute;

/// <summary>
/// One entry of an experiment's <c>methodSettings</c>: the options every method accepts (declared once, here) and
/// the method's own (<see cref="Own"/>, bound to its options record, beside it in its file). An entry may also be
/// a named variant of a registered method (<see cref="Method"/> names it), so one experiment can compare, say, two
/// readings of the baseline. A field left out takes the method's recipe default, else the experiment's
/// top-level value, else the harness default. The written config.json holds every field resolved.
/// </summary>
public sealed record MethodOptions
{
    const JsonIgnoreCondition Unset = JsonIgnoreCondition.WhenWritingNull;

    /// <summary>The registered method this entry configures (default: the entry's own name).</summary>
    [JsonIgnore(Condition = Unset)] public string? Method { get; init; }
    /// <summary>As in reports and chart legends (default: the method's, plus the variant's name).</summary>
    [JsonIgnore(Condition = Unset)] public string? DisplayName { get; init; }
    [JsonIgnore(Condition = Unset), Choices("cnn", "mlp")] public string? Architecture { get; init; }
    [JsonIgnore(Condition = Unset), Range(0, double.PositiveInfinity, MinOpen = true)] public double? LearningRate { get; init; }
    [JsonIgnore(Condition = Unset), Range(0, 1, MaxOpen = true)] public double? Beta1 { get; init; }
    [JsonIgnore(Condition = Unset), Range(0, 1, MaxOpen = true)] public double? Beta2 { get; init; }
    /// <summary>L2 penalty added to the gradient (torch's Adam weight_decay).</summary>
    [JsonIgnore(Condition = Unset), Range(0, double.PositiveInfinity)] public double? WeightDecay { get; init; }
    [JsonIgnore(Condition = Unset), Range(0, 1, MaxOpen = true)] public double? Dropout { get; init; }
    /// <summary>"none", or "linear": full rate for the first two thirds of the epochs, then linearly towards 0.</summary>
    [JsonIgnore(Condition = Unset), Choices("none", "linear")] public string? LrDecay { get; init; }
    /// <summary>Evaluate on an exponential (Polyak) average of the classifier's weights at this rate per optimizer step; 0 = the raw weights.</summary>
    [JsonIgnore(Condition = Unset), Range(0, 1, MaxOpen = true, Note = "(0 = evaluate the raw weights)")] public double? Ema { get; init; }

    /// <summary>
    /// "fp32" (default), or "bf16": convolutions and linear layers compute in bfloat16 from float32 master weights
    /// (<see cref="Autocast"/>); only where the CPU has AVX512-BF16 or AMX, or on CUDA. config.json records it only for bf16.
    /// </summary>
    [JsonIgnore(Condition = Unset), Choices("fp32", "bf16")] public string? Precision { get; init; }

    /// <summary>
    /// Where this entry's settings came from when the experiment named a tuned-settings file (<c>settingsFrom</c>): the
    /// file, its SHA-256 and its tuning seeds. Written by SemiGan when it resolves settingsFrom, recorded in config.json.
    /// </summary>
    [JsonIgnore(Condition = Unset)] public TunedSource? TunedFrom { get; init; }

    /// <summary>The method's own options, by JSON name, as written (bound to its options record when the config is checked).</summary>
    [JsonExtensionData] public Dictionary<string, JsonElement>? Own { get; init; }

    /// <summary>This entry with one of the method's own options set (as an experiment file would set it).</summary>
    public MethodOptions WithOwn(string field, object value) =>
        this with { Own = new Dictionary<string, JsonElement>(Own ?? []) { [field] = JsonSerializer.SerializeToElement(value) } };

    static readonly PropertyInfo[] CommonProperties =
        typeof(MethodOptions).GetProperties().Where(p => p.Name != nameof(Own)).ToArray();

    /// <summary>The option fields every method accepts (each method adds its own record's).</summary>
    public static readonly string[] Common = CommonProperties.Select(p => JsonName(p.Name)).ToArray();

    public static string JsonName(string property) => JsonNamingPolicy.CamelCase.ConvertName(property);

    /// <summary>The fields this entry sets, by JSON name.</summary>
    public IEnumerable<string> SetFields() =>
        CommonProperties.Where(p => p.GetValue(this) is not null).Select(p => JsonName(p.Name)).Concat(Own?.Keys.AsEnumerable() ?? []);

    /// <summary>These options over <paramref name="fallback"/>'s, field by field (own options too).</summary>
    public MethodOptions Over(MethodOptions fallback)
    {
        var merged = new MethodOptions
        {
            Own = fallback.Own is null && Own is null ? null
                : (fallback.Own ?? []).Concat(Own ?? []).GroupBy(kv => kv.Key).ToDictionary(g => g.Key, g => g.Last().Value),
        };
        foreach (var p in CommonProperties) p.SetValue(merged, p.GetValue(this) ?? p.GetValue(fallback));
        return merged;
    }

    /// <summary>The first bad common value as (field, message), or null when all are allowed.</summary>
    public (string Field, string Message)? FirstError() => FirstError(this, CommonProperties);

    /// <summary>The first value of <paramref name="options"/> outside its property's <see cref="ChoicesAttribute"/> or <see cref="RangeAttribute"/>.</summary>
    public static (string Field, string Message)? FirstError(object options, IEnumerable<PropertyInfo> properties)
    {
        foreach (var p in properties)
        {
            object? v = p.GetValue(options);
            if (v is null) continue;
            if (p.GetCustomAttribute<ChoicesAttribute>() is { } c && v is string s && !c.Names.Contains(s))
                return (JsonName(p.Name), $"'{s}' is not one of {string.Join(", ", c.Names)}");
            if (p.GetCustomAttribute<RangeAttribute>() is { } r && Convert.ToDouble(v, CultureInfo.InvariantCulture) is var d && !r.Allows(d))
                return (JsonName(p.Name), r.Describe(d));
        }
        return null;
    }

    /// <summary>The choices of a common or own field named <paramref name="field"/> (for a value of the wrong JSON type), or null.</summary>
    public static IReadOnlyList<string>? ChoicesOf(string field) =>
        CommonProperties.Concat(MethodRegistry.All.SelectMany(m => m.OptionsType?.GetProperties() ?? []))
            .FirstOrDefault(p => JsonName(p.Name) == field)?.GetCustomAttribute<ChoicesAttribute>()?.Names;
}

/// <summary>A tuned-settings file a methodSettings entry took its settings from: its path as given, SHA-256 of its content and tuning seeds.</summary>
public sealed record TunedSource(string Path, string Sha256, int[] Seeds);

/// <summary>A method's settings for one run, every field resolved (see <see cref="MethodOptions"/>).</summary>
public sealed record MethodSettings
{
    public Architecture Architecture { get; init; } = Architecture.Cnn;
    public double Dropout { get; init; } = 0.3;
    public int LatentDim { get; init; } = 100;
    public double LearningRate { get; init; } = 2e-4;
    public double Beta1 { get; init; } = 0.5;
    public double Beta2 { get; init; } = 0.999;
    public double WeightDecay { get; init; }
    public bool LinearDecay { get; init; }
    public double Ema { get; init; }
    public Precision Precision { get; init; }
    public int SampleCount { get; init; } = 64;
    /// <summary>The run's length, which a learning-rate decay is relative to.</summary>
    public int Epochs { get; init; } = 1;
    /// <summary>The method's own options record (its recipe's values where the experiment set none); null for a method without one.</summary>
    public object? Own { get; init; }

    /// <summary>The method's own options, as its record.</summary>
    public T OwnAs<T>() where T : new() => Own is T t ? t : new T();

    /// <summary>These settings with a method's recipe defaults applied (for a method timed or tested outside an experiment).</summary>
    public MethodSettings With(IMethod method)
    {
        var d = method.Defaults;
        return this with
        {
            LearningRate = d.LearningRate ?? LearningRate, Beta1 = d.Beta1 ?? Beta1, Beta2 = d.Beta2 ?? Beta2,
            WeightDecay = d.WeightDecay ?? WeightDecay, Dropout = d.Dropout ?? Dropout, Ema = d.Ema ?? Ema,
            Own = Own ?? (method.OptionsType is { } t ? Activator.CreateInstance(t) : null),
        };
    }

    /// <summary>The learning rate of an epoch (1-based): constant, or constant for two thirds of the run, then linearly towards 0.</summary>
    public double LearningRateAt(int epoch) =>
        LinearDecay ? LearningRate * Math.Min(1, 3.0 * (1 - (epoch - 1) / (double)Epochs)) : LearningRate;
}

/// <summary>Binds and checks a method's own options (<see cref="IMethod.OptionsType"/>) from an entry's <see cref="MethodOptions.Own"/>.</summary>
public static class OwnOptions
{
    static readonly JsonSerializerOptions Strict = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        NumberHandling = JsonNumberHandling.Strict,
    };

    /// <summary>The JSON names of a method's own options, in declaration order.</summary>
    public static IReadOnlyList<string> Names(IMethod method) =>
        method.OptionsType?.GetProperties().Select(p => MethodOptions.JsonName(p.Name)).ToArray() ?? [];

    /// <summary>
    /// The record <paramref name="own"/> describes (fields left out keep the record's recipe values), or an error naming
    /// the field: (field, message).
    /// </summary>
    public static (object? Options, (string Field, string Message)? Error) Bind(IMethod method, Dictionary<string, JsonElement>? own, Architecture architecture)
    {
        var names = Names(method);
        if (own?.Keys.FirstOrDefault(k => !names.Contains(k)) is { } unknown)
            return (null, (unknown, $"is not an option of {method.Name}; its options: {string.Join(", ", MethodOptions.Common.Concat(names))}"));
        if (method.OptionsType is not { } type) return (null, null);
        object options;
        var properties = type.GetProperties();
        try
        {
            string json = JsonSerializer.Serialize(own ?? []);
            options = JsonSerializer.Deserialize(json, type, Strict)!;
        }
        catch (JsonException e)
        {
            string field = e.Path is { Length: > 2 } p ? p.TrimStart('$', '.') : "";
            var choices = properties.FirstOrDefault(x => MethodOptions.JsonName(x.Name) == field)?.GetCustomAttribute<ChoicesAttribute>()?.Names;
            var kind = properties.FirstOrDefault(x => MethodOptions.JsonName(x.Name) == field)?.PropertyType;
            string expected = kind == typeof(bool) ? "true or false" : kind == typeof(string) ? "a string in quotes"
                : kind == typeof(int) ? "a whole number" : "a number";
            return (null, (field, $"must be {expected}" + (choices is null ? "" : $", one of {string.Join(", ", choices)}")));
        }
        if (MethodOptions.FirstError(options, properties) is { } error) return (null, error);
        if (architecture == Architecture.Mlp)
            foreach (var p in properties.Where(p => p.IsDefined(typeof(NeedsBatchNormAttribute))))
                if (!Equals(p.GetValue(options), p.GetValue(Activator.CreateInstance(type))))
                    return (null, (MethodOptions.JsonName(p.Name), $"'{p.GetValue(options)}' needs batch norm, which the MLP discriminator has not; remove {MethodOptions.JsonName(p.Name)} or set architecture to cnn"));
        return (options, null);
    }

    /// <summary>A bound record as config.json records it: every field, in declaration order (batch-norm options left out for the MLP).</summary>
    public static Dictionary<string, JsonElement> Resolved(object options, Architecture architecture)
    {
        var all = JsonSerializer.SerializeToElement(options, options.GetType(), Strict);
        var skip = architecture == Architecture.Mlp
            ? options.GetType().GetProperties().Where(p => p.IsDefined(typeof(NeedsBatchNormAttribute))).Select(p => MethodOptions.JsonName(p.Name)).ToHashSet()
            : [];
        return all.EnumerateObject().Where(p => !skip.Contains(p.Name)).ToDictionary(p => p.Name, p => p.Value.Clone());
    }
}
