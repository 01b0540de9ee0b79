using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// A snapshot of the queue's counts (the seed's <c>getQueueStats</c>). Two snapshots are equal when every count and
/// the oldest pending age are equal, so a stream of them can skip duplicates.
/// </summary>
/// <param name="Pending">Operations waiting to be sent (including scheduled retries).</param>
/// <param name="InFlight">Operations in a batch being pushed.</param>
/// <param name="Failed">Operations failed for good, kept until retried or removed.</param>
/// <param name="Conflict">Operations parked in a conflict.</param>
/// <param name="Total">Every stored operation.</param>
/// <param name="ByPriority">Stored operations (any state) per priority; every priority is present.</param>
/// <param name="ByResourceType">Stored operations (any state) per resource type; types with none are absent.</param>
/// <param name="OldestPendingAge">How long the oldest pending operation has waited, at the time of the snapshot; null when none.</param>
public sealed record QueueStats(
    int Pending,
    int InFlight,
    int Failed,
    int Conflict,
    int Total,
    IReadOnlyDictionary<SyncPriority, int> ByPriority,
    IReadOnlyDictionary<ResourceType, int> ByResourceType,
    TimeSpan? OldestPendingAge)
{
    /// <summary>The stats of an empty queue.</summary>
    public static QueueStats Empty { get; } = new(
        0, 0, 0, 0, 0,
        Enum.GetValues<SyncPriority>().ToDictionary(p => p, _ => 0),
        new Dictionary<ResourceType, int>(),
        null);

    /// <inheritdoc/>
    public bool Equals(QueueStats? other) =>
        other is not null
        && Pending == other.Pending
        && InFlight == other.InFlight
        && Failed == other.Failed
        && Conflict == other.Conflict
        && Total == other.Total
        && OldestPendingAge == other.OldestPendingAge
        && SameCounts(ByPriority, other.ByPriority)
        && SameCounts(ByResourceType, other.ByResourceType);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(Pending, InFlight, Failed, Conflict, Total, OldestPendingAge);

    private static bool SameCounts<TKey>(IReadOnlyDictionary<TKey, int> a, IReadOnlyDictionary<TKey, int> b)
        where TKey : notnull =>
        a.Count == b.Count && a.All(pair => b.TryGetValue(pair.Key, out var count) && count == pair.Value);
}
