using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Transport;

/// <summary>A resource as the server holds it now, as pulled.</summary>
public sealed record ServerChange
{
    /// <summary>The kind of resource.</summary>
    public required ResourceType ResourceType { get; init; }

    /// <summary>The resource's id.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The server's version.</summary>
    public required long Version { get; init; }

    /// <summary>The full resource; null when deleted.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Whether the resource is deleted (soft delete).</summary>
    public bool Deleted { get; init; }

    /// <summary>When the server last changed it (server clock).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Where its content can be downloaded, when it has content.</summary>
    public string? ContentUrl { get; init; }

    /// <summary>The content's size in bytes, when it has content.</summary>
    public long? ContentSize { get; init; }
}
