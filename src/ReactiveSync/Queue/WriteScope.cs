using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>A store transaction as one work item sees it: writes go through here so the item's changes are recorded for emission after commit.</summary>
internal sealed class WriteScope(IOperationStoreTransaction transaction)
{
    public IOperationStoreTransaction Transaction { get; } = transaction;

    /// <summary>The item's changes with the value each replaced, in order.</summary>
    public List<(OperationChange Change, OfflineOperation? Previous)> Changes { get; } = [];

    /// <summary>Operations the item queued or folded into, for <see cref="OperationQueue.Queued"/>.</summary>
    public List<OfflineOperation> Queued { get; } = [];

    public void Insert(OfflineOperation op)
    {
        Transaction.Insert(op);
        Changes.Add((new OperationChange(OperationChangeKind.Added, op), null));
    }

    public void Update(OfflineOperation previous, OfflineOperation op)
    {
        Transaction.Update(previous, op);
        Changes.Add((new OperationChange(OperationChangeKind.Updated, op), previous));
    }

    public bool Delete(OfflineOperation op)
    {
        if (!Transaction.Delete(op.Id))
        {
            return false;
        }

        Changes.Add((new OperationChange(OperationChangeKind.Removed, op), null));
        return true;
    }

    public IReadOnlyList<OfflineOperation> MarkInFlight(IReadOnlyList<OfflineOperation> operations, DateTimeOffset attemptAt)
    {
        var updated = Transaction.MarkInFlight(operations, attemptAt);
        for (var i = 0; i < updated.Count; i++)
        {
            Changes.Add((new OperationChange(OperationChangeKind.Updated, updated[i]), operations[i]));
        }

        return updated;
    }

    public int DeleteKnown(IReadOnlyList<OfflineOperation> operations)
    {
        var deleted = Transaction.DeleteKnown(operations);
        foreach (var op in deleted)
        {
            Changes.Add((new OperationChange(OperationChangeKind.Removed, op), null));
        }

        return deleted.Count;
    }

    public int DeleteMany(IReadOnlyCollection<Guid> operationIds)
    {
        var deleted = Transaction.DeleteMany(operationIds);
        foreach (var op in deleted)
        {
            Changes.Add((new OperationChange(OperationChangeKind.Removed, op), null));
        }

        return deleted.Count;
    }

    public int DeleteAll()
    {
        var count = Transaction.DeleteAll();
        Changes.Add((new OperationChange(OperationChangeKind.Cleared, null), null));
        return count;
    }

    public void Reset()
    {
        Changes.Clear();
        Queued.Clear();
    }
}
