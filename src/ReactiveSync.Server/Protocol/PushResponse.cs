namespace ReactiveSync.Server.Protocol;

/// <summary>The body of a 200 answer to <c>POST /sync/push</c>: one result per operation, in request order.</summary>
/// <param name="Results">The results.</param>
public sealed record PushResponse(IReadOnlyList<PushOperationResult> Results);
