using System.Text.Json.Nodes;

namespace ReactiveSync.Model;

/// <summary>What an app asks the queue to record; the queue validates it and makes an <see cref="OfflineOperation"/>.</summary>
public sealed record OperationRequest
{
    /// <summary>What the operation does.</summary>
    public required OperationType Type { get; init; }

    /// <summary>The kind of resource.</summary>
    public required ResourceType ResourceType { get; init; }

    /// <summary>The resource's id; required except for a Create, which gets a version 7 Guid when it has none.</summary>
    public string? ResourceId { get; init; }

    /// <summary>The payload: the resource for a Create, a JSON merge patch for an Update.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>How urgently it should be sent.</summary>
    public SyncPriority Priority { get; init; } = SyncPriority.Medium;

    /// <summary>Retryable failures allowed; null uses the configuration's <see cref="SyncConfiguration.MaxRetries"/>.</summary>
    public int? MaxRetries { get; init; }

    /// <summary>The server version the change was made against; null takes it from the replica when known.</summary>
    public long? BaseVersion { get; init; }

    /// <summary>The resource as the user saw it before editing; null takes it from the replica when known.</summary>
    public JsonNode? BaseData { get; init; }

    /// <summary>Operations that must succeed first (e.g. the Create of the post a comment belongs to).</summary>
    public IReadOnlyList<Guid> DependsOn { get; init; } = [];

    /// <summary>This operation's own conflict strategy; null uses the configuration's default for the type.</summary>
    public ConflictResolutionStrategy? ConflictResolution { get; init; }

    /// <summary>The id to use; null makes a version 7 Guid.</summary>
    public Guid? Id { get; init; }
}
