namespace ReactiveSync.Model;

/// <summary>How urgently an operation should reach the server (the seed's <c>SyncPriority</c>).</summary>
public enum SyncPriority
{
    /// <summary>Background operations.</summary>
    Low = 0,

    /// <summary>Normal user actions; the default.</summary>
    Medium = 1,

    /// <summary>Important user actions; synced without debounce.</summary>
    High = 2,

    /// <summary>System-critical operations; always taken first.</summary>
    Critical = 3,
}
