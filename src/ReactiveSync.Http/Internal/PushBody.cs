using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using ReactiveSync.Http.Wire;
using ReactiveSync.Model;

namespace ReactiveSync.Http.Internal;

/// <summary>
/// Writes the body of <c>POST /sync/push</c> straight from the operations with a <see cref="Utf8JsonWriter"/>: no wire
/// records, no serializer metadata lookups, one buffer that a 401 replay can send again.
/// </summary>
internal static class PushBody
{
    private static readonly MediaTypeHeaderValue JsonMediaType = MediaTypeHeaderValue.Parse("application/json; charset=utf-8");

    public static HttpContent Create(string clientId, IReadOnlyList<OfflineOperation> operations)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + (operations.Count * 320));
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = WireJson.Options.Encoder, SkipValidation = true }))
        {
            writer.WriteStartObject();
            writer.WriteString("clientId", clientId);
            writer.WriteStartArray("operations");
            for (var i = 0; i < operations.Count; i++)
            {
                var operation = WireMapper.Validate(operations[i], i);
                writer.WriteStartObject();
                writer.WriteString("id", operation.Id);
                writer.WriteString("type", TypeName(operation.Type));
                writer.WriteString("resourceType", operation.ResourceType.Value);
                writer.WriteString("resourceId", operation.ResourceId);
                if (operation.BaseVersion is { } baseVersion)
                {
                    writer.WriteNumber("baseVersion", baseVersion);
                }
                else
                {
                    writer.WriteNull("baseVersion");
                }

                writer.WritePropertyName("data");
                if (operation.Data is { } data)
                {
                    data.WriteTo(writer, WireJson.Options);
                }
                else
                {
                    writer.WriteNullValue();
                }

                writer.WriteString("clientTimestamp", operation.ClientTimestamp);
                writer.WriteStartArray("dependsOn");
                foreach (var dependency in operation.DependsOn ?? [])
                {
                    writer.WriteStringValue(dependency);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        // The writer's own memory, not a copy of it: the buffer is this body's alone.
        var content = new ReadOnlyMemoryContent(buffer.WrittenMemory);
        content.Headers.ContentType = JsonMediaType;
        return content;
    }

    private static string TypeName(OperationType type) => type switch
    {
        OperationType.Create => "create",
        OperationType.Update => "update",
        OperationType.Delete => "delete",
        OperationType.Upload => "upload",
        OperationType.Download => "download",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown operation type."),
    };
}
