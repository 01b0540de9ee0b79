namespace ReactiveSync.Background;

/// <summary>Where a background task is in its life.</summary>
public enum BackgroundTaskState
{
    /// <summary>Waiting for its time, or due and queued behind the running task.</summary>
    Scheduled,

    /// <summary>Due, but held until its constraints hold (<see cref="BackgroundTask.UnmetConstraints"/> says which).</summary>
    WaitingForConstraints,

    /// <summary>Running now.</summary>
    Running,

    /// <summary>Its last run failed; it runs again at <see cref="BackgroundTask.NextRunAt"/> (exponential backoff).</summary>
    Retrying,

    /// <summary>Done; a one-off task is then removed from the store.</summary>
    Succeeded,

    /// <summary>Cancelled by the app; removed from the store.</summary>
    Cancelled,
}
