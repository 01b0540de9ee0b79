namespace ReactiveSync.Events;

/// <summary>The server became reachable or unreachable (changes only; the state at start is not an event).</summary>
/// <param name="IsOnline">Whether it is reachable now.</param>
public sealed record NetworkStatusChanged(bool IsOnline) : SyncEvent;
