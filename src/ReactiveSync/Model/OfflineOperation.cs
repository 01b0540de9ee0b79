using System.Text.Json.Nodes;

namespace ReactiveSync.Model;

/// <summary>
/// One thing the user did, kept in the queue until the server has it (the seed's <c>OfflineOperation</c>).
/// Immutable: state changes produce a new value from the store.
/// </summary>
public sealed record OfflineOperation
{
    /// <summary>The operation id, also the server's idempotency key.</summary>
    public required Guid Id { get; init; }

    /// <summary>What the operation does.</summary>
    public required OperationType Type { get; init; }

    /// <summary>The kind of resource it touches.</summary>
    public required ResourceType ResourceType { get; init; }

    /// <summary>The resource's id, made by the client for a Create.</summary>
    public required string ResourceId { get; init; }

    /// <summary>The payload: the full resource for a Create, a JSON merge patch for an Update; may be null for a Delete.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>How urgently it should be sent.</summary>
    public SyncPriority Priority { get; init; } = SyncPriority.Medium;

    /// <summary>How many attempts have failed with a retryable error.</summary>
    public int RetryCount { get; init; }

    /// <summary>How many retryable failures are allowed before the operation fails.</summary>
    public int MaxRetries { get; init; } = 3;

    /// <summary>When the operation was queued (scheduler time).</summary>
    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>When the operation is next due; later than now while a retry waits.</summary>
    public required DateTimeOffset ScheduledAt { get; init; }

    /// <summary>When it was last sent, if ever.</summary>
    public DateTimeOffset? LastAttemptAt { get; init; }

    /// <summary>The last error's message, if any.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>The last error, classified, if any.</summary>
    public SyncErrorType? ErrorType { get; init; }

    /// <summary>The operation's own conflict strategy; null uses the configuration's default for the type.</summary>
    public ConflictResolutionStrategy? ConflictResolution { get; init; }

    /// <summary>Where the operation stands.</summary>
    public OperationState State { get; init; } = OperationState.Pending;

    /// <summary>A monotonic sequence assigned by the store; first-in first-out order.</summary>
    public long Sequence { get; init; }

    /// <summary>The server version the change was made against (Update, Delete).</summary>
    public long? BaseVersion { get; init; }

    /// <summary>The resource as it was when the user edited it, for three-way merges.</summary>
    public JsonNode? BaseData { get; init; }

    /// <summary>Operations that must succeed before this one is sent.</summary>
    public IReadOnlyList<Guid> DependsOn { get; init; } = [];

    /// <summary>When the user made the change, by the client's clock (for last-modified-wins).</summary>
    public required DateTimeOffset ClientTimestamp { get; init; }

    /// <summary>Whether it has ever been sent; a sent operation is never coalesced.</summary>
    public bool EverSent { get; init; }
}
