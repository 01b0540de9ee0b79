namespace ReactiveSync.Pipeline;

/// <summary>What started a sync.</summary>
public enum SyncTrigger
{
    /// <summary>The engine started with operations possibly pending.</summary>
    Startup,

    /// <summary>The network came online.</summary>
    NetworkOnline,

    /// <summary>An operation was queued (High and Critical at once, others after the debounce).</summary>
    QueueChanged,

    /// <summary>The sync interval elapsed.</summary>
    Interval,

    /// <summary>The app asked (<c>SyncNowAsync</c>).</summary>
    Manual,

    /// <summary>A scheduled retry fell due.</summary>
    RetryDue,

    /// <summary>The app resumed sync, enabled auto-sync, or renewed credentials.</summary>
    Resumed,
}
