namespace ReactiveSync.Transport;

/// <summary>One page of server changes and the checkpoint to ask from next.</summary>
/// <param name="Changes">Changes in server sequence order.</param>
/// <param name="Checkpoint">The server sequence of the last change (or the one asked from, when empty).</param>
/// <param name="HasMore">Whether more changes follow.</param>
public sealed record PullPage(IReadOnlyList<ServerChange> Changes, long Checkpoint, bool HasMore);
