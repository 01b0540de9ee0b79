using ReactiveSync.Model;

namespace ReactiveSync.Events;

/// <summary>The server answered an operation with a conflict; the same conflict is emitted on <c>SyncEngine.Conflicts</c>.</summary>
/// <param name="Conflict">The conflict, with the strategy applied when known.</param>
public sealed record ConflictDetected(SyncConflict Conflict) : SyncEvent;
