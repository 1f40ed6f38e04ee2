using System.Globalization;
using System.Text.Json.Nodes;

namespace SemiGan.Config;

/// <summary>
/// A top-level hyperparameter given as a list ("learningRate": [1e-3, 3e-4]) is a grid axis: every method
/// runs at every value (all combinations when several fields are lists), each as a variant named after its
/// values ("sgan-lr0.001"), so the value is in the run id and in the CSV's method column. Expanded on the
/// file's JSON before it is read: config.json then records the variants, their settings and the
/// comparisons (each method against the reference at the same values). A one-value list, or the same field
/// set by <c>--set</c>, names the runs the same way.
/// </summary>
public static class GridAxes
{
    /// <summary>The fields that can be axes, with the short name used in variant names.</summary>
    public static readonly (string Field, string Short)[] Fields = [("learningRate", "lr"), ("beta1", "beta1"), ("beta2", "beta2"), ("dropout", "dropout")];

    /// <summary>Expands list-valued axis fields of <paramref name="root"/> in place; nothing to do without any.</summary>
    public static void Expand(JsonObject root, string source)
    {
        var axes = new List<(string Field, string Short, double[] Values)>();
        foreach (var (field, shortName) in Fields)
        {
            if (root[field] is not JsonArray list) continue;
            if (list.Count == 0 || list.Any(v => v is not JsonValue value || !value.TryGetValue(out double _)))
                throw new ConfigException($"{source}: {field}: a list makes it a grid axis and must hold numbers, e.g. [0.001, 0.0003]");
            var values = list.Select(v => v!.GetValue<double>()).ToArray();
            if (values.Distinct().Count() != values.Length) throw new ConfigException($"{source}: {field}: must not repeat a value");
            axes.Add((field, shortName, values));
            root[field] = values[0]; // the top-level value; every variant sets its own
        }
        if (axes.Count == 0) return;

        // The fields read here are not yet type-checked (deserializing comes after): each is checked as it is read.
        string Text(JsonNode? node, string field) => node is JsonValue v && v.TryGetValue(out string? text)
            ? text : throw new ConfigException($"{source}: {field}: must be a string in quotes");
        var methods = root["methods"] is JsonArray m ? m.Select((x, i) => Text(x, $"methods[{i}]")).ToArray()
            : root["methods"] is null ? Methods.MethodRegistry.DefaultNames : throw new ConfigException($"{source}: methods: must be a list of names, e.g. [\"sgan\", \"baseline\"]");
        var settings = root["methodSettings"] is null ? new JsonObject()
            : root["methodSettings"] as JsonObject ?? throw new ConfigException($"{source}: methodSettings: must be an object ({{ ... }})");
        foreach (var (key, value) in settings)
            if (value is not (null or JsonObject)) throw new ConfigException($"{source}: methodSettings.{key}: must be an object of settings");
        IEnumerable<(string Field, double Value)[]> combos = [[]];
        foreach (var axis in axes) combos = combos.SelectMany(c => axis.Values.Select(v => c.Append((axis.Field, v)).ToArray())).ToList();
        string Suffix((string Field, double Value)[] c) =>
            string.Join("-", c.Select(x => axes.First(a => a.Field == x.Field).Short + x.Value.ToString("G", CultureInfo.InvariantCulture)));
        string Name(string method, (string, double)[] c) => $"{method}-{Suffix(c)}";

        var newMethods = new JsonArray();
        var newSettings = new JsonObject();
        foreach (var c in combos)
            foreach (var method in methods)
            {
                var entry = settings[method]?.DeepClone() as JsonObject ?? new JsonObject();
                entry["method"] ??= method;
                foreach (var (field, value) in c) entry[field] = value;
                if (entry["displayName"] is { } d) entry["displayName"] = $"{Text(d, $"methodSettings.{method}.displayName")} ({Suffix(c)})";
                newMethods.Add(Name(method, c));
                newSettings[Name(method, c)] = entry;
            }
        string? reference = (root["reference"] is { } r ? Text(r, "reference") : null)
            ?? (methods.Contains(Methods.MethodRegistry.DefaultReference.Name) && methods.Length > 1 ? Methods.MethodRegistry.DefaultReference.Name : null);
        var pairs = root["comparisons"] is JsonArray given
            ? given.Select((p, i) => p is JsonArray { Count: 2 } pair ? (Text(pair[0], $"comparisons[{i}][0]"), Text(pair[1], $"comparisons[{i}][1]"))
                : throw new ConfigException($"{source}: comparisons[{i}]: must be a pair [method, reference], e.g. [\"sgan\", \"baseline\"]")).ToList()
            : reference is null ? [] : methods.Where(x => x != reference).Select(x => (x, reference)).ToList();
        root["methods"] = newMethods;
        root["methodSettings"] = newSettings;
        if (reference is not null) root["reference"] = Name(reference, combos.First());
        if (pairs.Count > 0)
            root["comparisons"] = new JsonArray(combos.SelectMany(c => pairs.Select(p => (JsonNode)new JsonArray(Name(p.Item1, c), Name(p.Item2, c)))).ToArray());
    }
}
