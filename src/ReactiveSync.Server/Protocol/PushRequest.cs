namespace ReactiveSync.Server.Protocol;

/// <summary>The body of <c>POST /sync/push</c>.</summary>
public sealed record PushRequest
{
    /// <summary>The sending device; with each operation id, the idempotency key.</summary>
    public string? ClientId { get; init; }

    /// <summary>The operations, applied in this order.</summary>
    public IReadOnlyList<PushOperation>? Operations { get; init; }
}
