using ReactiveSync.Pipeline;

namespace ReactiveSync.Events;

/// <summary>A sync (one drain of the queue) started; a <see cref="SyncCompleted"/> always follows it.</summary>
/// <param name="Trigger">What started it.</param>
public sealed record SyncStarted(SyncTrigger Trigger) : SyncEvent;
