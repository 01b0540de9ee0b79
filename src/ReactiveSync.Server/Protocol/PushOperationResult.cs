using System.Text.Json.Nodes;

namespace ReactiveSync.Server.Protocol;

/// <summary>The server's answer to one pushed operation, as on the wire.</summary>
public sealed record PushOperationResult
{
    /// <summary>The operation answered.</summary>
    public Guid OperationId { get; init; }

    /// <summary>What the server did.</summary>
    public PushOperationStatus Status { get; init; }

    /// <summary>The version after the change (applied, duplicate) or the server's current one (conflict); null when the resource does not exist.</summary>
    public long? Version { get; init; }

    /// <summary>The server's current copy, on a conflict; null when deleted or missing, and on other answers.</summary>
    public JsonNode? ServerData { get; init; }

    /// <summary>Whether the server's copy is deleted or missing, on a conflict.</summary>
    public bool ServerDeleted { get; init; }

    /// <summary>When the server last changed the resource (server clock).</summary>
    public DateTimeOffset? ServerUpdatedAt { get; init; }

    /// <summary>Why it was rejected; null otherwise.</summary>
    public ErrorDetail? Error { get; init; }
}
