using System.Text.Json.Serialization;
using ReactiveSync.Model;

namespace ReactiveSync.Status;

/// <summary>
/// What the engine's syncs have done since the metrics were first kept or last reset (the seed's <c>getSyncMetrics</c>),
/// kept across restarts by <see cref="OfflineStatusMonitor"/>.
/// </summary>
/// <remarks>
/// Counts come from each sync's <see cref="SyncResult"/>. Bytes are not counted: the transport port reports no byte
/// counts, so a number here would be a guess. Durations are in the engine scheduler's time.
/// </remarks>
public sealed record SyncMetrics
{
    /// <summary>No syncs yet.</summary>
    public static SyncMetrics Empty { get; } = new();

    /// <summary>Syncs that ended without a failure of the whole sync (individual operations may still have failed).</summary>
    public long SyncsSucceeded { get; init; }

    /// <summary>Syncs that failed as a whole (for example the push failed, or the store could not be read).</summary>
    public long SyncsFailed { get; init; }

    /// <summary>Every sync that ended.</summary>
    [JsonIgnore]
    public long TotalSyncs => SyncsSucceeded + SyncsFailed;

    /// <summary>The share of syncs that succeeded, 0 to 1; null before the first sync.</summary>
    [JsonIgnore]
    public double? SuccessRate => TotalSyncs == 0 ? null : (double)SyncsSucceeded / TotalSyncs;

    /// <summary>Operations the server applied (or had already applied).</summary>
    public long OperationsApplied { get; init; }

    /// <summary>Operations that became failed (retries used up, rejected, quota).</summary>
    public long OperationsFailed { get; init; }

    /// <summary>Attempts that were scheduled for a retry.</summary>
    public long OperationsRetried { get; init; }

    /// <summary>Conflicts the server answered.</summary>
    public long Conflicts { get; init; }

    /// <summary>Conflicts by the strategy that settled them (or parked them, for PromptUser).</summary>
    public IReadOnlyDictionary<ConflictResolutionStrategy, long> ConflictsByStrategy { get; init; } =
        new Dictionary<ConflictResolutionStrategy, long>();

    /// <summary>Conflicts handed to a custom resolver registered for their resource type (these have no strategy).</summary>
    public long ConflictsByCustomResolver { get; init; }

    /// <summary>Server changes pulled into the replica.</summary>
    public long ChangesPulled { get; init; }

    /// <summary>The time all syncs took together.</summary>
    public TimeSpan TotalSyncDuration { get; init; }

    /// <summary>The mean time a sync took; null before the first sync.</summary>
    [JsonIgnore]
    public TimeSpan? AverageSyncDuration => TotalSyncs == 0 ? null : TotalSyncDuration / TotalSyncs;

    /// <summary>How long the last sync took; null before the first sync.</summary>
    public TimeSpan? LastSyncDuration { get; init; }

    /// <summary>When the last sync ended, whatever its outcome; null before the first sync.</summary>
    public DateTimeOffset? LastSyncTime { get; init; }

    /// <summary>When the last successful sync ended; null before the first.</summary>
    public DateTimeOffset? LastSuccessfulSyncTime { get; init; }

    /// <summary>These metrics with one more sync counted.</summary>
    internal SyncMetrics Add(SyncResult result, DateTimeOffset endedAt)
    {
        var byStrategy = new Dictionary<ConflictResolutionStrategy, long>(ConflictsByStrategy);
        var custom = ConflictsByCustomResolver;
        foreach (var conflict in result.Conflicts)
        {
            if (conflict.Strategy is { } strategy)
            {
                byStrategy[strategy] = byStrategy.GetValueOrDefault(strategy) + 1;
            }
            else
            {
                custom++;
            }
        }

        return this with
        {
            SyncsSucceeded = SyncsSucceeded + (result.Success ? 1 : 0),
            SyncsFailed = SyncsFailed + (result.Success ? 0 : 1),
            OperationsApplied = OperationsApplied + result.ProcessedOperations,
            OperationsFailed = OperationsFailed + result.FailedOperations,
            OperationsRetried = OperationsRetried + result.RetriedOperations,
            Conflicts = Conflicts + result.Conflicts.Count,
            ConflictsByStrategy = byStrategy,
            ConflictsByCustomResolver = custom,
            ChangesPulled = ChangesPulled + result.PulledChanges,
            TotalSyncDuration = TotalSyncDuration + result.Duration,
            LastSyncDuration = result.Duration,
            LastSyncTime = endedAt,
            LastSuccessfulSyncTime = result.Success ? endedAt : LastSuccessfulSyncTime,
        };
    }
}
