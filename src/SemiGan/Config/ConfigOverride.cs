using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace SemiGan.Config;

/// <summary>
/// One <c>--set key=value</c>: an experiment field (a dotted path into objects, e.g.
/// <c>methodSettings.supervised.learningRate</c>) replaced before the file is deserialized and validated, so
/// an override is checked exactly like the file. The value is JSON when it parses as JSON (numbers,
/// true/false, null, [1,2], objects), else a list of strings when bracketed ([sgan,baseline]), else a string.
/// </summary>
public sealed record ConfigOverride(string Key, string Value)
{
    public const string Example = "--set learningRate=0.001";

    /// <summary>The key's path segments.</summary>
    public string[] Segments => Key.Split('.');

    /// <summary>Null when <paramref name="s"/> is key=value with a well-formed key, else the one-line message.</summary>
    public static string? Error(string s)
    {
        int eq = s.IndexOf('=');
        if (eq < 0) return $"--set: '{s}' has no '='; give key=value, e.g. {Example}";
        string key = s[..eq].Trim();
        if (key.Length == 0) return $"--set: '{s}' has no key before '='; give key=value, e.g. {Example}";
        if (key.Split('.').Any(p => p.Trim().Length == 0))
            return $"--set: '{key}' has an empty part; give a field or a dotted path, e.g. --set methodSettings.supervised.learningRate=0.001";
        if (JsonDuplicates.Find(s[(eq + 1)..]) is var (dup, path))
            return $"--set {s}: {key}.{path}: the key '{dup}' is given twice in one object; keep one of the two";
        return null;
    }

    public static ConfigOverride Parse(string s)
    {
        if (Error(s) is { } message) throw new ConfigException(message);
        int eq = s.IndexOf('=');
        return new(s[..eq].Trim(), s[(eq + 1)..]);
    }

    /// <summary>Parses every <c>--set</c>; refuses a field given twice (or a field and a path inside it), since the order would then matter.</summary>
    public static IReadOnlyList<ConfigOverride> ParseAll(IEnumerable<string>? sets)
    {
        var all = (sets ?? []).Select(Parse).ToList();
        foreach (var a in all)
            if (all.FirstOrDefault(b => !ReferenceEquals(a, b) && (a.Key == b.Key || b.Key.StartsWith(a.Key + ".", StringComparison.Ordinal))) is { } b)
                throw new ConfigException($"{a} and {b}: the same field is set twice; give each field once.");
        return all;
    }

    /// <summary>
    /// The value as JSON: itself when it parses as JSON, else a list when it is bracketed ([sgan,baseline]: each
    /// item JSON or a string), else a string.
    /// </summary>
    public JsonNode? Node() => Parse(Value, list: true);

    static JsonNode? Parse(string value, bool list)
    {
        try { return JsonNode.Parse(value); }
        catch (JsonException) { }
        string v = value.Trim();
        if (list && v.Length >= 2 && v[0] == '[' && v[^1] == ']')
            return new JsonArray(v[1..^1].Split(',', StringSplitOptions.TrimEntries).Where(x => x.Length > 0).Select(x => Parse(x, list: false)).ToArray());
        return JsonValue.Create(value);
    }

    /// <summary>Sets the field in <paramref name="root"/>, creating missing objects along a dotted path.</summary>
    public void ApplyTo(JsonObject root)
    {
        var segments = Segments;
        var current = root;
        for (int i = 0; i < segments.Length - 1; i++)
        {
            var next = current[segments[i]];
            if (next is null) current[segments[i]] = next = new JsonObject();
            current = next as JsonObject ?? throw new ConfigException(
                $"{this}: '{string.Join('.', segments[..(i + 1)])}' is a {next.GetValueKind().ToString().ToLowerInvariant()}, not an object, so it has no field '{segments[i + 1]}'; set it whole instead.");
        }
        current[segments[^1]] = Node();
    }

    /// <summary>Does this override set <paramref name="field"/> (a dotted path as error messages name it), or a field inside it, or it inside this one?</summary>
    public bool Covers(string field) =>
        field == Key || field.StartsWith(Key + ".", StringComparison.Ordinal) || Key.StartsWith(field + ".", StringComparison.Ordinal);

    public override string ToString() => $"--set {Key}={Value}";

    /// <summary>8 hex digits of the SHA-256 of the sorted overrides: the same set in any order gives the same hash.</summary>
    public static string Hash(IEnumerable<ConfigOverride> overrides)
    {
        string text = string.Join("\n", overrides.Select(o => $"{o.Key}={o.Value}").Order(StringComparer.Ordinal));
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..8];
    }
}
