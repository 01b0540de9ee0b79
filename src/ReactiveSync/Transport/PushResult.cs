using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Transport;

/// <summary>One result of a push, for the operation with <see cref="OperationId"/>.</summary>
public sealed record PushResult
{
    /// <summary>The operation answered.</summary>
    public required Guid OperationId { get; init; }

    /// <summary>What the server did.</summary>
    public required PushStatus Status { get; init; }

    /// <summary>The resource's version after the change (applied, duplicate) or the server's current one (conflict).</summary>
    public long? Version { get; init; }

    /// <summary>The server's current copy, on a conflict; null when deleted.</summary>
    public JsonNode? ServerData { get; init; }

    /// <summary>Whether the server's copy is deleted, on a conflict.</summary>
    public bool ServerDeleted { get; init; }

    /// <summary>When the server last changed the resource (server clock).</summary>
    public DateTimeOffset? ServerUpdatedAt { get; init; }

    /// <summary>Why it was rejected.</summary>
    public SyncError? Error { get; init; }
}
