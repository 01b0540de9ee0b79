using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>One committed change to one operation, as emitted by <see cref="OperationQueue.Changes"/>.</summary>
/// <param name="Kind">What happened.</param>
/// <param name="Operation">The operation's new value (Added, Updated), its last value (Removed), or null (Cleared).</param>
public sealed record OperationChange(OperationChangeKind Kind, OfflineOperation? Operation);
