using System.Text.Json.Nodes;

namespace ReactiveSync.Server.Protocol;

/// <summary>One operation of a push request, as on the wire.</summary>
public sealed record PushOperation
{
    /// <summary>The operation id; with the client id, the idempotency key.</summary>
    public Guid Id { get; init; }

    /// <summary>What the operation does.</summary>
    public PushOperationType Type { get; init; }

    /// <summary>The kind of resource (<c>post</c>, <c>user_profile</c>, an app's own).</summary>
    public string? ResourceType { get; init; }

    /// <summary>The resource's id.</summary>
    public string? ResourceId { get; init; }

    /// <summary>The version the client based its change on; null means no check (blind write).</summary>
    public long? BaseVersion { get; init; }

    /// <summary>The payload: the full resource (create), a JSON merge patch (update, upload), or null.</summary>
    public JsonNode? Data { get; init; }

    /// <summary>When the client made the change (client clock; informational only).</summary>
    public DateTimeOffset? ClientTimestamp { get; init; }

    /// <summary>Operations this one depends on (informational; the client orders them).</summary>
    public IReadOnlyList<Guid>? DependsOn { get; init; }
}
