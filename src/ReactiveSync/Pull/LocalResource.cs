using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Pull;

/// <summary>A resource as the app should show it: the replica's copy with the operations not yet acknowledged applied on top.</summary>
public sealed record LocalResource
{
    /// <summary>The kind of resource.</summary>
    public required ResourceType ResourceType { get; init; }

    /// <summary>The resource's id.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The resource with local changes applied; a fresh copy the caller may change.</summary>
    public required JsonNode Data { get; init; }

    /// <summary>The server version the local copy builds on; null when the server has never had it (a local Create).</summary>
    public long? ServerVersion { get; init; }

    /// <summary>When the server last changed its copy; null when the server has never had it.</summary>
    public DateTimeOffset? ServerUpdatedAt { get; init; }

    /// <summary>How many operations on the resource are not yet acknowledged (pending, in flight, failed or in conflict).</summary>
    public int PendingOperations { get; init; }

    /// <summary>Whether the local copy differs from the server's by operations not yet acknowledged.</summary>
    public bool HasPendingChanges => PendingOperations > 0;

    /// <summary>Where its content can be downloaded, when the server has content for it.</summary>
    public string? ContentUrl { get; init; }

    /// <summary>The server's content size in bytes, when known.</summary>
    public long? ContentSize { get; init; }
}
