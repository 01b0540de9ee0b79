using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// Picks the next batch inside a store transaction: Critical first, then High, Medium and Low by smooth weighted
/// round robin on <see cref="SyncConfiguration.PriorityWeights"/> (credits carry over between batches, so Low gets
/// its share even with a batch size of one), first-in first-out within a priority. Reads bounded index windows only.
/// Not thread-safe: the queue calls it from its single writer.
/// </summary>
internal sealed class BatchSelector
{
    /// <summary>Rows read per priority from the head of the index on each call.</summary>
    internal const int HeadScanLimit = 1024;

    /// <summary>Further rows read per priority from a rotating cursor, so eligible operations behind a long blocked run are found too.</summary>
    internal const int DeepScanLimit = 1024;

    private static readonly SyncPriority[] Shared = [SyncPriority.High, SyncPriority.Medium, SyncPriority.Low];

    private readonly Dictionary<SyncPriority, long> _credits = new();
    private readonly Dictionary<SyncPriority, long> _deepCursors = new();

    public List<OfflineOperation> Select(IOperationStoreTransaction tx, int maxCount, DateTimeOffset now, IReadOnlyDictionary<SyncPriority, int> weights)
    {
        var batch = new List<OfflineOperation>(Math.Min(maxCount, 1024));
        // Critical is taken greedily, so its first window is the whole need: no rows read only to be dropped.
        foreach (var op in Candidates(tx, SyncPriority.Critical, now, Math.Clamp(maxCount, 8, 512)))
        {
            if (batch.Count >= maxCount)
            {
                break;
            }

            batch.Add(op);
        }

        // A shared priority's part of a batch is often a fraction of it: start small and grow.
        var sharedWindow = Math.Clamp(maxCount / 4, 8, 64);
        var sources = Shared.ToDictionary(p => p, p => Candidates(tx, p, now, sharedWindow).GetEnumerator());
        try
        {
            var active = new List<SyncPriority>(Shared);
            while (batch.Count < maxCount && active.Count > 0)
            {
                var total = 0L;
                foreach (var p in active)
                {
                    _credits[p] = _credits.GetValueOrDefault(p) + weights[p];
                    total += weights[p];
                }

                // Highest credit wins; ties go to the higher priority.
                var pick = active.OrderByDescending(p => _credits[p]).ThenByDescending(p => (int)p).First();
                if (sources[pick].MoveNext())
                {
                    batch.Add(sources[pick].Current);
                    _credits[pick] -= total;
                }
                else
                {
                    // Nothing eligible: take back this round's credit and drop the priority, so it builds no burst.
                    foreach (var p in active)
                    {
                        _credits[p] -= weights[p];
                    }

                    active.Remove(pick);
                    _credits[pick] = 0;
                }
            }
        }
        finally
        {
            foreach (var source in sources.Values)
            {
                source.Dispose();
            }
        }

        return batch;
    }

    /// <summary>Eligible operations of one priority, lazily: due, first on their resource, dependencies gone.</summary>
    private IEnumerable<OfflineOperation> Candidates(IOperationStoreTransaction tx, SyncPriority priority, DateTimeOffset now, int firstWindow)
    {
        // Grow from the first window (each row read is parsed), doubling up to 512 rows per read.
        var window = firstWindow;
        var scanned = 0;
        var after = 0L;
        var exhausted = false;
        while (!exhausted && scanned < HeadScanLimit)
        {
            var rows = tx.GetPendingWindow(priority, after, Math.Min(window, HeadScanLimit - scanned));
            exhausted = rows.Count == 0;
            window = Math.Min(window * 2, 512);
            foreach (var op in rows)
            {
                scanned++;
                after = op.Sequence;
                if (IsEligible(tx, op, now))
                {
                    yield return op;
                }
            }
        }

        if (exhausted)
        {
            yield break;
        }

        // Past the head: continue where the last deep scan stopped, wrapping to the end of the head.
        var cursor = Math.Max(_deepCursors.GetValueOrDefault(priority), after);
        var deepScanned = 0;
        while (deepScanned < DeepScanLimit)
        {
            var rows = tx.GetPendingWindow(priority, cursor, Math.Min(window, DeepScanLimit - deepScanned));
            window = Math.Min(window * 2, 512);
            if (rows.Count == 0)
            {
                cursor = 0;
                break;
            }

            foreach (var op in rows)
            {
                deepScanned++;
                cursor = op.Sequence;
                _deepCursors[priority] = cursor;
                if (IsEligible(tx, op, now))
                {
                    yield return op;
                }
            }
        }

        _deepCursors[priority] = cursor;
    }

    internal static bool IsEligible(IOperationStoreTransaction tx, OfflineOperation op, DateTimeOffset now) =>
        op.State == OperationState.Pending
        && op.ScheduledAt <= now
        && !tx.HasEarlierOnResource(op.ResourceType, op.ResourceId, op.Sequence)
        && !op.DependsOn.Any(tx.Exists);
}
