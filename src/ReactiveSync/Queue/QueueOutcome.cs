namespace ReactiveSync.Queue;

/// <summary>What queuing a request did to the store.</summary>
public enum QueueOutcome
{
    /// <summary>A new operation was stored.</summary>
    Added,

    /// <summary>The request was folded into a pending, unsent operation on the same resource, which was updated.</summary>
    Coalesced,

    /// <summary>A Delete cancelled a pending, unsent Create of the same resource: both are gone and nothing will be sent.</summary>
    Cancelled,
}
