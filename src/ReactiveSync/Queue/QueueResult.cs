using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>The result of queuing one request.</summary>
/// <param name="Operation">
/// The stored operation: the new one (<see cref="QueueOutcome.Added"/>), the surviving one it was folded into
/// (<see cref="QueueOutcome.Coalesced"/>), or the request as it would have been stored (<see cref="QueueOutcome.Cancelled"/>, not stored).
/// </param>
/// <param name="Outcome">What happened.</param>
public sealed record QueueResult(OfflineOperation Operation, QueueOutcome Outcome);
