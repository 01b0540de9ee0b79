using ReactiveSync.Model;

namespace ReactiveSync.Events;

/// <summary>An operation was committed to the queue.</summary>
/// <param name="Operation">The operation as stored.</param>
public sealed record OperationQueued(OfflineOperation Operation) : SyncEvent;
