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
        foreach (var op in Candidates(tx, SyncPriority.Critical, now, Math.Clamp(maxCount, 8, 512), () => maxCount - batch.Count))
        {
            if (batch.Count >= maxCount)
            {
                break;
            }

            batch.Add(op);
        }

        // A shared priority's part of a batch is often a fraction of it: start small and grow.
        var sharedWindow = Math.Clamp(maxCount / 4, 8, 64);
        var sources = Shared.ToDictionary(p => p, p => Candidates(tx, p, now, sharedWindow, () => maxCount - batch.Count).GetEnumerator());
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

                var pick = HighestCredit(active);
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

    /// <summary>The priority with the highest credit; a tie goes to the higher priority. A loop, not a sort: it runs once per operation taken.</summary>
    private SyncPriority HighestCredit(List<SyncPriority> active)
    {
        var pick = active[0];
        for (var i = 1; i < active.Count; i++)
        {
            var p = active[i];
            if (_credits[p] > _credits[pick] || (_credits[p] == _credits[pick] && p > pick))
            {
                pick = p;
            }
        }

        return pick;
    }

    /// <summary>Eligible operations of one priority, lazily: due, first on their resource, dependencies gone.</summary>
    /// <remarks>
    /// The store checks resource order and dependencies for a whole window in one read (<see cref="IOperationStoreTransaction.ScanPending"/>)
    /// and builds only the ready rows; the due time is checked here.
    /// </remarks>
    private IEnumerable<OfflineOperation> Candidates(
        IOperationStoreTransaction tx, SyncPriority priority, DateTimeOffset now, int firstWindow, Func<int> remaining)
    {
        // Each ready row read is built (its JSON parsed): after the first window, read what the batch still lacks
        // (at least 8, at most 512), rather than doubling past it.
        var window = firstWindow;
        var scanned = 0;
        var after = 0L;
        var exhausted = false;
        while (!exhausted && scanned < HeadScanLimit)
        {
            var scan = tx.ScanPending(priority, after, Math.Min(window, HeadScanLimit - scanned));
            exhausted = scan.Scanned == 0;
            scanned += scan.Scanned;
            after = scan.LastSequence;
            var yielded = 0;
            foreach (var op in scan.Ready)
            {
                if (IsDue(op, now))
                {
                    yielded++;
                    yield return op;
                }
            }

            window = NextWindow(window, scan.Scanned, yielded, remaining());
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
            var scan = tx.ScanPending(priority, cursor, Math.Min(window, DeepScanLimit - deepScanned));
            if (scan.Scanned == 0)
            {
                cursor = 0;
                break;
            }

            deepScanned += scan.Scanned;
            var yielded = 0;
            foreach (var op in scan.Ready)
            {
                if (IsDue(op, now))
                {
                    // A batch that fills here resumes right after the last operation it took, as a row-by-row scan would.
                    _deepCursors[priority] = op.Sequence;
                    yielded++;
                    yield return op;
                }
            }

            cursor = scan.LastSequence;
            _deepCursors[priority] = cursor;
            window = NextWindow(window, scan.Scanned, yielded, remaining());
        }

        _deepCursors[priority] = cursor;
    }

    /// <summary>What the batch still lacks; but past a blocked run (rows read and not taken), double, to cross it in few reads.</summary>
    private static int NextWindow(int window, int scanned, int yielded, int remaining) =>
        Math.Clamp(yielded < scanned ? Math.Max(remaining, window * 2) : remaining, 8, 512);

    private static bool IsDue(OfflineOperation op, DateTimeOffset now) => op.State == OperationState.Pending && op.ScheduledAt <= now;
}
