namespace ReactiveSync.Model;

/// <summary>The outcome of one sync (the seed's <c>SyncResult</c>).</summary>
public sealed record SyncResult
{
    /// <summary>Whether the sync ran without a failure of the whole sync (individual operations may still have failed).</summary>
    public required bool Success { get; init; }

    /// <summary>Operations the server applied or had already applied.</summary>
    public int ProcessedOperations { get; init; }

    /// <summary>Operations that became failed in this sync.</summary>
    public int FailedOperations { get; init; }

    /// <summary>Operations that will be retried later.</summary>
    public int RetriedOperations { get; init; }

    /// <summary>Server changes pulled into the replica.</summary>
    public int PulledChanges { get; init; }

    /// <summary>Conflicts detected in this sync, the same ones the conflict stream carried.</summary>
    public IReadOnlyList<SyncConflict> Conflicts { get; init; } = [];

    /// <summary>Errors met in this sync.</summary>
    public IReadOnlyList<SyncError> Errors { get; init; } = [];

    /// <summary>How long the sync took, in scheduler time.</summary>
    public TimeSpan Duration { get; init; }
}
