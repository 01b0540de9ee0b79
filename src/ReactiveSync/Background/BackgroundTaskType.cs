namespace ReactiveSync.Background;

/// <summary>What a background task does (the seed's task types); the engine's <see cref="BackgroundTaskRunner"/> acts on it.</summary>
public enum BackgroundTaskType
{
    /// <summary>Push pending operations and pull server changes.</summary>
    Sync,

    /// <summary>Download content for offline use.</summary>
    Download,

    /// <summary>Free space: expired content, failed downloads.</summary>
    Cleanup,
}
