using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// One write transaction of an <see cref="IOperationStore"/>: indexed reads that see the transaction's own writes,
/// and the writes. Used only on the thread that runs the <see cref="IOperationStore.WriteAsync{T}"/> callback.
/// </summary>
public interface IOperationStoreTransaction
{
    /// <summary>Takes the next sequence number: greater than every sequence ever handed out by this store.</summary>
    long NextSequence();

    /// <summary>Gets one operation by id, or null.</summary>
    OfflineOperation? Get(Guid operationId);

    /// <summary>Whether an operation with this id is stored.</summary>
    bool Exists(Guid operationId);

    /// <summary>The operation with the highest sequence on a resource, or null.</summary>
    OfflineOperation? GetLastOnResource(ResourceType resourceType, string resourceId);

    /// <summary>Whether a stored operation on the resource has a lower sequence than <paramref name="sequence"/>.</summary>
    bool HasEarlierOnResource(ResourceType resourceType, string resourceId, long sequence);

    /// <summary>Whether a stored operation names <paramref name="operationId"/> in its dependencies.</summary>
    bool HasDependents(Guid operationId);

    /// <summary>Up to <paramref name="limit"/> Pending operations of one priority with a sequence above <paramref name="afterSequence"/>, by sequence.</summary>
    IReadOnlyList<OfflineOperation> GetPendingWindow(SyncPriority priority, long afterSequence, int limit);

    /// <summary>
    /// Reads up to <paramref name="limit"/> Pending operations of one priority with a sequence above
    /// <paramref name="afterSequence"/>, by sequence, and answers those among them that are first on their resource
    /// (<see cref="HasEarlierOnResource"/> false) and wait for no stored dependency, with how far it read.
    /// </summary>
    /// <remarks>
    /// The default reads the window and checks each row; a store may answer it with one statement and build only the
    /// ready rows. Either way it reads at most <paramref name="limit"/> rows of the pending index (and index seeks per row).
    /// </remarks>
    PendingScan ScanPending(SyncPriority priority, long afterSequence, int limit)
    {
        var rows = GetPendingWindow(priority, afterSequence, limit);
        var ready = new List<OfflineOperation>(rows.Count);
        foreach (var op in rows)
        {
            if (!HasEarlierOnResource(op.ResourceType, op.ResourceId, op.Sequence) && !op.DependsOn.Any(Exists))
            {
                ready.Add(op);
            }
        }

        return new PendingScan(ready, rows.Count, rows.Count == 0 ? afterSequence : rows[^1].Sequence);
    }

    /// <summary>Up to <paramref name="limit"/> operations in <paramref name="state"/>, highest priority first, then by sequence.</summary>
    IReadOnlyList<OfflineOperation> GetByState(OperationState state, int limit);

    /// <summary>The creation time of the Pending operation with the lowest sequence, or null.</summary>
    DateTimeOffset? GetOldestPendingCreatedAt();

    /// <summary>Stores a new operation (its id must be new).</summary>
    void Insert(OfflineOperation operation);

    /// <summary>
    /// Replaces the stored operation <paramref name="previous"/> (as read in this transaction) with
    /// <paramref name="updated"/>, which has the same id; a store may write only the fields that differ.
    /// </summary>
    void Update(OfflineOperation previous, OfflineOperation updated);

    /// <summary>Deletes an operation; answers whether it was stored.</summary>
    bool Delete(Guid operationId);

    /// <summary>
    /// Marks operations (as read in this transaction) in flight: state <see cref="OperationState.InFlight"/>, last
    /// attempt at <paramref name="attemptAt"/>, ever sent. Answers them as updated, in the same order.
    /// </summary>
    /// <remarks>
    /// A store may write them in one statement. A durable store may also commit a transaction holding nothing but such
    /// marks without waiting for the disk, provided it already answers <see cref="MayHaveBeenSent"/> with true for each
    /// of them: the mark then only says what recovery on open undoes anyway (in flight back to pending), and the
    /// 'ever sent' fact that coalescing relies on is already durable in another form.
    /// </remarks>
    IReadOnlyList<OfflineOperation> MarkInFlight(IReadOnlyList<OfflineOperation> operations, DateTimeOffset attemptAt)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var updated = new List<OfflineOperation>(operations.Count);
        foreach (var op in operations)
        {
            var inFlight = op with { State = OperationState.InFlight, LastAttemptAt = attemptAt, EverSent = true };
            Update(op, inFlight);
            updated.Add(inFlight);
        }

        return updated;
    }

    /// <summary>Deletes the operations with these ids; answers those that were stored, as they were (ids not stored are ignored).</summary>
    /// <remarks>
    /// In <see cref="IOperationStore.WriteResendableAsync{T}"/> a durable store may commit such a removal without waiting
    /// for the disk when <see cref="MayHaveBeenSent"/> is true for every operation removed; otherwise it syncs.
    /// </remarks>
    IReadOnlyList<OfflineOperation> DeleteMany(IReadOnlyCollection<Guid> operationIds)
    {
        ArgumentNullException.ThrowIfNull(operationIds);
        var deleted = new List<OfflineOperation>(operationIds.Count);
        foreach (var id in operationIds)
        {
            if (Get(id) is { } op && Delete(id))
            {
                deleted.Add(op);
            }
        }

        return deleted;
    }

    /// <summary>
    /// Deletes these operations, which the caller read from this store and holds as they are stored (a drain's acknowledged
    /// batch); answers those that were still stored, as given. A store may skip reading the rows back to answer.
    /// </summary>
    /// <remarks>Durability as for <see cref="DeleteMany"/>.</remarks>
    IReadOnlyList<OfflineOperation> DeleteKnown(IReadOnlyList<OfflineOperation> operations)
    {
        ArgumentNullException.ThrowIfNull(operations);
        var stored = DeleteMany(operations.Select(op => op.Id).ToArray()).Select(op => op.Id).ToHashSet();
        return operations.Where(op => stored.Contains(op.Id)).ToList();
    }

    /// <summary>
    /// Whether the server may already hold this operation's id: it was sent, or the store cannot rule that out after a
    /// crash. Coalescing never folds a later change into such an operation (the server would answer it 'duplicate').
    /// </summary>
    bool MayHaveBeenSent(OfflineOperation operation)
    {
        ArgumentNullException.ThrowIfNull(operation);
        return operation.EverSent;
    }

    /// <summary>Deletes every operation; answers how many there were. Sequences keep growing afterwards.</summary>
    int DeleteAll();

    /// <summary>Marks a point that <see cref="RollbackToSavepoint"/> returns to; savepoints do not nest.</summary>
    void CreateSavepoint();

    /// <summary>Keeps the writes since the savepoint and forgets it.</summary>
    void ReleaseSavepoint();

    /// <summary>Undoes the writes since the savepoint and forgets it.</summary>
    void RollbackToSavepoint();
}
