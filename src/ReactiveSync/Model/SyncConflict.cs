using System.Text.Json.Nodes;

namespace ReactiveSync.Model;

/// <summary>A conflict between a client change and the server's copy (the seed's <c>SyncConflict</c>).</summary>
public sealed record SyncConflict
{
    /// <summary>The conflict's id.</summary>
    public required Guid Id { get; init; }

    /// <summary>The operation that conflicted.</summary>
    public required Guid OperationId { get; init; }

    /// <summary>What the operation does.</summary>
    public required OperationType OperationType { get; init; }

    /// <summary>The kind of resource.</summary>
    public required ResourceType ResourceType { get; init; }

    /// <summary>The resource's id.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The client's data (for an Update, the merge patch).</summary>
    public JsonNode? ClientData { get; init; }

    /// <summary>The server's current copy; null when the server deleted the resource.</summary>
    public JsonNode? ServerData { get; init; }

    /// <summary>The resource as the client last saw it, when known.</summary>
    public JsonNode? BaseData { get; init; }

    /// <summary>The server's current version.</summary>
    public long? ServerVersion { get; init; }

    /// <summary>When the server last changed the resource (server clock).</summary>
    public DateTimeOffset? ServerUpdatedAt { get; init; }

    /// <summary>When the client made its change (client clock).</summary>
    public required DateTimeOffset ClientTimestamp { get; init; }

    /// <summary>Whether the server has deleted the resource.</summary>
    public bool ServerDeleted { get; init; }

    /// <summary>When the conflict was detected (scheduler time).</summary>
    public required DateTimeOffset DetectedAt { get; init; }

    /// <summary>The strategy applied or to be applied, once known.</summary>
    public ConflictResolutionStrategy? Strategy { get; init; }

    /// <summary>Fields both sides changed (known only with a base copy).</summary>
    public IReadOnlyList<string> ConflictingFields { get; init; } = [];

    /// <summary>A note for people: how it was resolved, a fallback taken, or a resolver's error.</summary>
    public string? Note { get; init; }
}
