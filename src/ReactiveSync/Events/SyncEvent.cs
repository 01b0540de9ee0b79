namespace ReactiveSync.Events;

/// <summary>
/// Something the engine did or saw, as emitted on <c>SyncEngine.Events</c>: the seed's events plus
/// <see cref="AuthenticationRequired"/>. A closed hierarchy: match on the derived records.
/// </summary>
public abstract record SyncEvent
{
    // Closed: only this assembly derives from it.
    private protected SyncEvent()
    {
    }

    /// <summary>When it happened, in the engine scheduler's time.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}
