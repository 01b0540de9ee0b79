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

    /// <summary>Deletes every operation; answers how many there were. Sequences keep growing afterwards.</summary>
    int DeleteAll();

    /// <summary>Marks a point that <see cref="RollbackToSavepoint"/> returns to; savepoints do not nest.</summary>
    void CreateSavepoint();

    /// <summary>Keeps the writes since the savepoint and forgets it.</summary>
    void ReleaseSavepoint();

    /// <summary>Undoes the writes since the savepoint and forgets it.</summary>
    void RollbackToSavepoint();
}
