namespace ReactiveSync.Server.Protocol;

/// <summary>The body of <c>GET /health</c>: <c>{"status":"ok"}</c>.</summary>
/// <param name="Status">Always <c>ok</c> while the server answers.</param>
public sealed record HealthResponse(string Status);
