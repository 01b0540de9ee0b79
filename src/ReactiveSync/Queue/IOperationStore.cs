using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// Port: where the <see cref="OperationQueue"/> keeps its operations. A store offers transactions and indexed reads;
/// the queue's rules (validation, coalescing, selection) live in the queue, so every store behaves the same.
/// </summary>
/// <remarks>
/// Writes happen only inside <see cref="WriteAsync{T}"/>, one transaction at a time. Reads outside a transaction see
/// committed data only. Completed operations are deleted, so every stored operation is unfinished.
/// </remarks>
public interface IOperationStore : IAsyncDisposable
{
    /// <summary>Opens the store, creating or migrating its schema; safe to call again on an open store.</summary>
    Task OpenAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Runs <paramref name="work"/> in one transaction and commits it. If <paramref name="work"/> or the commit throws,
    /// nothing it wrote is kept and the exception propagates. <paramref name="work"/> runs synchronously, alone.
    /// </summary>
    Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default);

    /// <summary>
    /// Like <see cref="WriteAsync{T}"/>, for work whose loss in a power cut can only make the engine resend what the
    /// server may already hold: in-flight marks (<see cref="IOperationStoreTransaction.MarkInFlight"/>) and removals of
    /// acknowledged operations (<see cref="IOperationStoreTransaction.DeleteMany"/>). A durable store may commit it
    /// without waiting for the disk when every operation it touches already counts as possibly sent (see
    /// <see cref="IOperationStoreTransaction.MayHaveBeenSent"/>); anything else it makes durable before completing.
    /// </summary>
    Task<T> WriteResendableAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
        WriteAsync(work, cancellationToken);

    /// <summary>Gets one operation by id, or null.</summary>
    Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default);

    /// <summary>Gets a page of the operations in <paramref name="state"/>, highest priority first, then by sequence.</summary>
    Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default);

    /// <summary>
    /// The earliest scheduled time of a Pending operation that is later than <paramref name="after"/>, or null. Only a
    /// scheduled retry (retry count above zero) is due later than when it was queued, and a store may rely on that.
    /// </summary>
    Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default);

    /// <summary>The creation time of the oldest Pending operation (lowest sequence), or null when none is pending.</summary>
    Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default);

    /// <summary>Counts the stored operations grouped by state, priority and resource type (read once when the queue opens).</summary>
    Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default);
}
