using ReactiveSync.Conflicts;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Pipeline;

/// <summary>
/// Where the engine's other components join a drain: uploads before a push, the replica after each answer, the pull
/// after the pushes. One seam, so the drain stays about pushing and the components stay out of it.
/// </summary>
internal interface ISyncDrainHooks
{
    /// <summary>
    /// Runs before a batch is pushed (e.g. streams the files of Upload operations) and answers the operations to push, in
    /// the same order; a SyncException fails the batch.
    /// </summary>
    ValueTask<IReadOnlyList<OfflineOperation>> BeforePushAsync(IReadOnlyList<OfflineOperation> batch, CancellationToken cancellationToken);

    /// <summary>
    /// Runs once per push answer with the operations the server applied (or had applied: duplicate), before they are
    /// completed in the queue; they are on distinct resources.
    /// </summary>
    ValueTask OnAppliedAsync(IReadOnlyList<(OfflineOperation Operation, PushResult Result)> applied, CancellationToken cancellationToken);

    /// <summary>Runs after a conflict was settled for the server: the operation is gone, the server's copy stands.</summary>
    ValueTask OnServerCopyKeptAsync(OfflineOperation operation, ConflictDecision.Drop decision, CancellationToken cancellationToken);

    /// <summary>Runs once the pushes of a drain are done (e.g. pulls server changes); answers how many changes it took in.</summary>
    ValueTask<int> AfterPushAsync(CancellationToken cancellationToken);
}
