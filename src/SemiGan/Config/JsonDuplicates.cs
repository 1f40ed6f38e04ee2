using System.Text;
using System.Text.Json;

namespace SemiGan.Config;

/// <summary>
/// Finds a key written twice in one JSON object, at any depth. JSON parsers accept such a file (System.Text.Json's
/// JsonNode then fails on first access, its serializer keeps the last value), so an edited experiment file would
/// silently train with one of two values. System.Text.Json's own check (AllowDuplicateProperties = false) names the
/// key but not where it is; this walk names the path, as the other config errors do.
/// </summary>
public static class JsonDuplicates
{
    /// <summary>The first key given twice in one object with its dotted path (e.g. <c>methodSettings.sgan.dropout</c>, <c>a[1].x</c>), or null when none is, or when the text is not JSON (the parser reports that).</summary>
    public static (string Key, string Path)? Find(string json)
    {
        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(json), new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        // Per open container: its path, and for an object the keys seen so far (null for an array, with the next index).
        var stack = new Stack<(string Path, HashSet<string>? Keys, int Index)>();
        string? pendingKey = null;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        var (path, keys, _) = stack.Peek();
                        string key = reader.GetString()!;
                        if (!keys!.Add(key)) return (key, Join(path, key));
                        pendingKey = key;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        stack.Push((ValuePath(stack, ref pendingKey), reader.TokenType == JsonTokenType.StartObject ? new HashSet<string>(StringComparer.Ordinal) : null, 0));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        stack.Pop();
                        break;
                    default:
                        ValuePath(stack, ref pendingKey);
                        break;
                }
            }
        }
        catch (JsonException) { }
        return null;
    }

    /// <summary>One line for a duplicate found in <paramref name="source"/>, or null.</summary>
    public static string? Describe(string json, string source) =>
        Find(json) is var (key, path) ? $"{source}: {path}: the key '{key}' is given twice in one object; keep one of the two" : null;

    /// <summary>The path of the value now read: its key in the enclosing object, or its index in the enclosing array (which is then advanced).</summary>
    static string ValuePath(Stack<(string Path, HashSet<string>? Keys, int Index)> stack, ref string? pendingKey)
    {
        if (stack.Count == 0) return "";
        var top = stack.Pop();
        string path;
        if (top.Keys is not null) path = Join(top.Path, pendingKey ?? "");
        else
        {
            path = $"{top.Path}[{top.Index}]";
            top.Index++;
        }
        stack.Push(top);
        pendingKey = null;
        return path;
    }

    static string Join(string path, string key) => path.Length == 0 ? key : $"{path}.{key}";
}
