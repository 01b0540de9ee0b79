using System.Text.Json.Nodes;

namespace ReactiveSync.Http.Wire;

/// <summary>One change of a pull answer as read from the wire.</summary>
internal sealed class ChangeDto
{
    public string? ResourceType { get; set; }

    public string? ResourceId { get; set; }

    public long? Version { get; set; }

    public JsonNode? Data { get; set; }

    public bool? Deleted { get; set; }

    public DateTimeOffset? UpdatedAt { get; set; }

    public string? ContentUrl { get; set; }

    public long? ContentSize { get; set; }
}
