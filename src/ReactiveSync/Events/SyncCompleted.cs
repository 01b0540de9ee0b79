using ReactiveSync.Model;

namespace ReactiveSync.Events;

/// <summary>
/// A sync ended. Emitted once per <see cref="SyncStarted"/>, also after a failed one (then <see cref="SyncResult.Success"/>
/// is false and a <see cref="SyncFailed"/> came before it).
/// </summary>
/// <param name="Result">What the sync did.</param>
public sealed record SyncCompleted(SyncResult Result) : SyncEvent;
