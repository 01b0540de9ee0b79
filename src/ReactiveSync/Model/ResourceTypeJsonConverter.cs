using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReactiveSync.Model;

/// <summary>Writes a <see cref="ResourceType"/> as its name and validates it on read.</summary>
internal sealed class ResourceTypeJsonConverter : JsonConverter<ResourceType>
{
    /// <inheritdoc/>
    public override ResourceType Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.GetString() ?? throw new JsonException("A resource type must be a string.");
        if (!ResourceType.IsValidName(name))
        {
            throw new JsonException($"Resource type '{name}' is invalid.");
        }

        return ResourceType.From(name);
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, ResourceType value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.Value);
}
