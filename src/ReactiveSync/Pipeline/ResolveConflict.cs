using ReactiveSync.Conflicts;
using ReactiveSync.Model;

namespace ReactiveSync.Pipeline;

/// <summary>
/// The one place a conflict resolver plugs into the drain: given the operation as sent and the conflict the server
/// answered, decide what happens to it. An exception parks the operation, with the error in the conflict's note.
/// </summary>
internal delegate ValueTask<ConflictDecision> ResolveConflict(
    OfflineOperation operation, SyncConflict conflict, CancellationToken cancellationToken);
