namespace ReactiveSync.Server.Protocol;

/// <summary>The body of a 200 answer to <c>GET /sync/pull</c>.</summary>
/// <param name="Changes">Changes in sequence order, each resource once at its latest state.</param>
/// <param name="Checkpoint">The sequence of the last change, or the <c>since</c> asked for when empty.</param>
/// <param name="HasMore">Whether more changes follow the checkpoint.</param>
public sealed record PullResponse(IReadOnlyList<PullChange> Changes, long Checkpoint, bool HasMore);
