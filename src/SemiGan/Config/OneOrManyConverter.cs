using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemiGan.Config;

/// <summary>Reads a JSON value or an array of values as an array, so "labels": 1000 and "labels": [100, 1000] both work.</summary>
public sealed class OneOrManyConverter<T> : JsonConverter<T[]>
{
    public override T[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.StartArray
            ? JsonSerializer.Deserialize<T[]>(ref reader, options)
            : [JsonSerializer.Deserialize<T>(ref reader, options)!];

    public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var v in value) JsonSerializer.Serialize(writer, v, options);
        writer.WriteEndArray();
    }
}
