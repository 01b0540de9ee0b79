using System.Text.Json.Nodes;

namespace ReactiveSync.Server.Protocol;

/// <summary>A resource at its latest state, as pulled.</summary>
public sealed record PullChange
{
    /// <summary>The kind of resource.</summary>
    public required string ResourceType { get; init; }

    /// <summary>The resource's id.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The server's version.</summary>
    public long Version { get; init; }

    /// <summary>The full resource; null when deleted.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Whether the resource is soft-deleted.</summary>
    public bool Deleted { get; init; }

    /// <summary>When the server last changed the resource's data (server clock).</summary>
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>The relative URL of the resource's content (<c>/sync/content/{escaped id}</c>), when content was PUT for its id.</summary>
    public string? ContentUrl { get; init; }

    /// <summary>The content's size in bytes, when it has content.</summary>
    public long? ContentSize { get; init; }
}
