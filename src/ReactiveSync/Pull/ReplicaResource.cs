using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Pull;

/// <summary>A resource as the server last said it is: one row of the replica.</summary>
/// <remarks>A deleted resource stays as a tombstone (<see cref="Deleted"/>, null <see cref="Data"/>) so its version is known.</remarks>
public sealed record ReplicaResource
{
    /// <summary>The kind of resource.</summary>
    public required ResourceType ResourceType { get; init; }

    /// <summary>The resource's id.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The server's version of this copy.</summary>
    public required long Version { get; init; }

    /// <summary>The full resource; null when deleted.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>Whether the server deleted it.</summary>
    public bool Deleted { get; init; }

    /// <summary>When the server last changed it (server clock).</summary>
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Where its content can be downloaded, when it has content.</summary>
    public string? ContentUrl { get; init; }

    /// <summary>The content's size in bytes, when it has content.</summary>
    public long? ContentSize { get; init; }

    /// <summary>The replica row for a pulled change.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="change"/> is null.</exception>
    public static ReplicaResource FromChange(ServerChange change)
    {
        ArgumentNullException.ThrowIfNull(change);
        return new ReplicaResource
        {
            ResourceType = change.ResourceType,
            ResourceId = change.ResourceId,
            Version = change.Version,
            Data = change.Deleted ? null : change.Data,
            Deleted = change.Deleted,
            UpdatedAt = change.UpdatedAt,
            ContentUrl = change.ContentUrl,
            ContentSize = change.ContentSize,
        };
    }
}
