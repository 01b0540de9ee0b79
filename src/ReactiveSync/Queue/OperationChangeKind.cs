namespace ReactiveSync.Queue;

/// <summary>What happened to an operation in the queue.</summary>
public enum OperationChangeKind
{
    /// <summary>The operation was stored.</summary>
    Added,

    /// <summary>The operation changed (its state, data, schedule or error); the change carries the new value.</summary>
    Updated,

    /// <summary>The operation left the store (completed, coalesced away, or removed); the change carries its last value.</summary>
    Removed,

    /// <summary>The whole queue was cleared; the change carries no operation.</summary>
    Cleared,
}
