using System.Text.Json;
using System.Text.Json.Serialization;

namespace SemiGan.Config;

/// <summary>Reads a JSON value or an array of values as an array, so "labels": 1000 and "labels": [100, 1000] both work.</summary>
public sealed class OneOrManyConverter<T> : JsonConverter<T[]>
{
    public override T[]? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        try
        {
            return reader.TokenType == JsonTokenType.StartArray
                ? JsonSerializer.Deserialize<T[]>(ref reader, options)
                : [JsonSerializer.Deserialize<T>(ref reader, options)!];
        }
        catch (JsonException)
        {
            // Re-thrown without a path so the serializer adds this field's path to the message.
            string kind = typeof(T) == typeof(int) ? "an integer" : "a string";
            throw new JsonException($"must be {kind} or a list of them");
        }
    }

    public override void Write(Utf8JsonWriter writer, T[] value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var v in value) JsonSerializer.Serialize(writer, v, options);
        writer.WriteEndArray();
    }
}
