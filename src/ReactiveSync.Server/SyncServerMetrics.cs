namespace ReactiveSync.Server;

/// <summary>
/// Counters of what the server did, for tests and benchmarks; thread-safe, one instance per server
/// (a DI singleton).
/// </summary>
public sealed class SyncServerMetrics
{
    private long _pushRequests;
    private long _operationsApplied;
    private long _duplicates;
    private long _conflicts;
    private long _rejected;
    private long _pullRequests;
    private long _contentBytesServed;
    private long _contentBytesReceived;
    private long _faultsInjected;

    /// <summary>Push requests handled (answered 200).</summary>
    public long PushRequests => Interlocked.Read(ref _pushRequests);

    /// <summary>Operations answered <c>applied</c>.</summary>
    public long OperationsApplied => Interlocked.Read(ref _operationsApplied);

    /// <summary>Operations answered <c>duplicate</c>.</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Operations answered <c>conflict</c>.</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Operations answered <c>rejected</c>.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Pull requests handled (answered 200).</summary>
    public long PullRequests => Interlocked.Read(ref _pullRequests);

    /// <summary>Content body bytes handed to the transport by GET (counted as written, including bytes of responses cut by an abort).</summary>
    public long ContentBytesServed => Interlocked.Read(ref _contentBytesServed);

    /// <summary>Content bytes stored by PUT.</summary>
    public long ContentBytesReceived => Interlocked.Read(ref _contentBytesReceived);

    /// <summary>Requests that got an injected fault (429, 500, 503 or abort).</summary>
    public long FaultsInjected => Interlocked.Read(ref _faultsInjected);

    /// <summary>Sets every counter to zero.</summary>
    public void Reset()
    {
        Interlocked.Exchange(ref _pushRequests, 0);
        Interlocked.Exchange(ref _operationsApplied, 0);
        Interlocked.Exchange(ref _duplicates, 0);
        Interlocked.Exchange(ref _conflicts, 0);
        Interlocked.Exchange(ref _rejected, 0);
        Interlocked.Exchange(ref _pullRequests, 0);
        Interlocked.Exchange(ref _contentBytesServed, 0);
        Interlocked.Exchange(ref _contentBytesReceived, 0);
        Interlocked.Exchange(ref _faultsInjected, 0);
    }

    internal void AddPushRequest() => Interlocked.Increment(ref _pushRequests);

    internal void AddPullRequest() => Interlocked.Increment(ref _pullRequests);

    internal void AddFault() => Interlocked.Increment(ref _faultsInjected);

    internal void AddContentServed(long bytes) => Interlocked.Add(ref _contentBytesServed, bytes);

    internal void AddContentReceived(long bytes) => Interlocked.Add(ref _contentBytesReceived, bytes);

    internal void AddResult(Protocol.PushOperationStatus status)
    {
        switch (status)
        {
            case Protocol.PushOperationStatus.Applied:
                Interlocked.Increment(ref _operationsApplied);
                break;
            case Protocol.PushOperationStatus.Duplicate:
                Interlocked.Increment(ref _duplicates);
                break;
            case Protocol.PushOperationStatus.Conflict:
                Interlocked.Increment(ref _conflicts);
                break;
            case Protocol.PushOperationStatus.Rejected:
                Interlocked.Increment(ref _rejected);
                break;
        }
    }
}
