namespace ReactiveSync.Demo;

/// <summary>What one device did, counted as it happens; read by the live view from another thread.</summary>
internal sealed class DeviceCounters
{
    private long _queued;
    private long _coalesced;
    private long _cancelled;
    private long _batches;
    private long _requestFailures;
    private long _applied;
    private long _duplicates;
    private long _retried;
    private long _conflicts;
    private long _clientKept;
    private long _serverKept;
    private long _merged;
    private long _pulls;
    private long _pulledChanges;
    private long _syncs;
    private long _retriedByUser;

    /// <summary>Operations the user queued (each call, whether stored, folded or cancelled).</summary>
    public long Queued => Interlocked.Read(ref _queued);

    /// <summary>Requests folded into a pending operation on the same resource.</summary>
    public long Coalesced => Interlocked.Read(ref _coalesced);

    /// <summary>Deletes that cancelled a pending create: both gone, nothing sent.</summary>
    public long Cancelled => Interlocked.Read(ref _cancelled);

    /// <summary>Pushes sent.</summary>
    public long Batches => Interlocked.Read(ref _batches);

    /// <summary>Requests (push, pull, upload) that failed as a whole: a 5xx, a cut connection...</summary>
    public long RequestFailures => Interlocked.Read(ref _requestFailures);

    /// <summary>Operations the server applied (counted from the engine's sync results; includes duplicates).</summary>
    public long Applied => Interlocked.Read(ref _applied);

    /// <summary>Operations the server answered "duplicate": a resend of one it had applied before the answer was lost.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Operation retries scheduled after a failed push.</summary>
    public long Retried => Interlocked.Read(ref _retried);

    /// <summary>Conflicts the server answered.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Conflicts settled by sending the client's change again.</summary>
    public long ClientKept => Interlocked.Read(ref _clientKept);

    /// <summary>Conflicts settled by keeping the server's copy.</summary>
    public long ServerKept => Interlocked.Read(ref _serverKept);

    /// <summary>Conflicts settled by a three-way merge.</summary>
    public long Merged => Interlocked.Read(ref _merged);

    /// <summary>Pull requests made.</summary>
    public long Pulls => Interlocked.Read(ref _pulls);

    /// <summary>Server changes pulled.</summary>
    public long PulledChanges => Interlocked.Read(ref _pulledChanges);

    /// <summary>Syncs the engine ran.</summary>
    public long Syncs => Interlocked.Read(ref _syncs);

    /// <summary>Failed operations the user sent again.</summary>
    public long RetriedByUser => Interlocked.Read(ref _retriedByUser);

    public void AddQueued() => Interlocked.Increment(ref _queued);

    public void AddCoalesced() => Interlocked.Increment(ref _coalesced);

    public void AddCancelled() => Interlocked.Increment(ref _cancelled);

    public void AddBatch() => Interlocked.Increment(ref _batches);

    public void AddRequestFailure() => Interlocked.Increment(ref _requestFailures);

    public void AddApplied(long count) => Interlocked.Add(ref _applied, count);

    public void AddDuplicates(long count) => Interlocked.Add(ref _duplicates, count);

    public void AddRetried(long count) => Interlocked.Add(ref _retried, count);

    public void AddSync() => Interlocked.Increment(ref _syncs);

    public void AddPull(long changes)
    {
        Interlocked.Increment(ref _pulls);
        Interlocked.Add(ref _pulledChanges, changes);
    }

    public void AddRetriedByUser(long count) => Interlocked.Add(ref _retriedByUser, count);

    public void AddConflict(ConflictOutcome outcome)
    {
        Interlocked.Increment(ref _conflicts);
        switch (outcome)
        {
            case ConflictOutcome.ClientKept:
                Interlocked.Increment(ref _clientKept);
                break;
            case ConflictOutcome.ServerKept:
                Interlocked.Increment(ref _serverKept);
                break;
            case ConflictOutcome.Merged:
                Interlocked.Increment(ref _merged);
                break;
        }
    }
}
