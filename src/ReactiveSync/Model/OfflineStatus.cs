namespace ReactiveSync.Model;

/// <summary>What the app shows about sync (the seed's <c>OfflineStatus</c>, plus paused, auto-sync and last error).</summary>
public sealed record OfflineStatus
{
    /// <summary>Whether the server is reachable.</summary>
    public bool IsOnline { get; init; }

    /// <summary>Whether a sync is running.</summary>
    public bool IsSyncing { get; init; }

    /// <summary>Operations waiting to be sent (pending or in flight).</summary>
    public long PendingOperations { get; init; }

    /// <summary>Operations that failed and wait for the app.</summary>
    public long FailedOperations { get; init; }

    /// <summary>Conflicts waiting for the user.</summary>
    public long Conflicts { get; init; }

    /// <summary>Bytes used by offline content.</summary>
    public long StorageUsed { get; init; }

    /// <summary>When the last sync completed, if ever.</summary>
    public DateTimeOffset? LastSyncTime { get; init; }

    /// <summary>Whether sync is paused by the app.</summary>
    public bool IsPaused { get; init; }

    /// <summary>Whether sync runs on its own.</summary>
    public bool AutoSyncEnabled { get; init; }

    /// <summary>Whether the queue waits for renewed credentials.</summary>
    public bool AuthenticationRequired { get; init; }

    /// <summary>The last sync error, cleared by a successful sync.</summary>
    public SyncError? LastError { get; init; }
}
