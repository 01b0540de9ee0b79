using ReactiveSync.Model;

namespace ReactiveSync.Events;

/// <summary>
/// A whole push failed (network, server, authentication, or an error for the whole batch). Failures of single operations
/// (rejected, retries used up) show in the <see cref="SyncCompleted"/> result instead.
/// </summary>
/// <param name="Error">The classified error.</param>
public sealed record SyncFailed(SyncError Error) : SyncEvent;
