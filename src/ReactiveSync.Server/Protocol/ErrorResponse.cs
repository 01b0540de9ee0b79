namespace ReactiveSync.Server.Protocol;

/// <summary>The body of every non-200 answer the server writes: <c>{"error":{"type":...,"message":...}}</c>.</summary>
/// <param name="Error">The error.</param>
public sealed record ErrorResponse(ErrorDetail Error);
