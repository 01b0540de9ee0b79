using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// The queue's counts, loaded once when it opens and then kept up to date from each commit's changes, so stats
/// never need a scan of the store. Used only by the queue's writer (and read under its lock).
/// </summary>
internal sealed class QueueStatsCounter
{
    private readonly int[] _byState = new int[Enum.GetValues<OperationState>().Length];
    private readonly int[] _byPriority = new int[Enum.GetValues<SyncPriority>().Length];
    private readonly Dictionary<ResourceType, int> _byResourceType = new();

    public DateTimeOffset? OldestPendingCreatedAt { get; set; }

    public void Load(IEnumerable<OperationCount> counts)
    {
        Reset();
        foreach (var count in counts)
        {
            Add(count.State, count.Priority, count.ResourceType, count.Count);
        }
    }

    public void Apply(OperationChange change, OfflineOperation? previous)
    {
        switch (change.Kind)
        {
            case OperationChangeKind.Cleared:
                Reset();
                return;
            case OperationChangeKind.Added:
                Add(change.Operation!, 1);
                return;
            case OperationChangeKind.Removed:
                Add(change.Operation!, -1);
                return;
            case OperationChangeKind.Updated:
                if (previous is not null)
                {
                    Add(previous, -1);
                }

                Add(change.Operation!, 1);
                return;
        }
    }

    public QueueStats Snapshot(DateTimeOffset now)
    {
        var age = OldestPendingCreatedAt is { } oldest ? now - oldest : (TimeSpan?)null;
        if (age < TimeSpan.Zero)
        {
            age = TimeSpan.Zero;
        }

        return new QueueStats(
            _byState[(int)OperationState.Pending],
            _byState[(int)OperationState.InFlight],
            _byState[(int)OperationState.Failed],
            _byState[(int)OperationState.Conflict],
            _byState.Sum(),
            Enum.GetValues<SyncPriority>().ToDictionary(p => p, p => _byPriority[(int)p]),
            _byResourceType.Where(pair => pair.Value > 0).ToDictionary(pair => pair.Key, pair => pair.Value),
            _byState[(int)OperationState.Pending] == 0 ? null : age);
    }

    private void Reset()
    {
        Array.Clear(_byState);
        Array.Clear(_byPriority);
        _byResourceType.Clear();
        OldestPendingCreatedAt = null;
    }

    private void Add(OfflineOperation op, int delta) => Add(op.State, op.Priority, op.ResourceType, delta);

    private void Add(OperationState state, SyncPriority priority, ResourceType resourceType, int delta)
    {
        _byState[(int)state] += delta;
        _byPriority[(int)priority] += delta;
        _byResourceType[resourceType] = _byResourceType.GetValueOrDefault(resourceType) + delta;
    }
}
