using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Tests.Queue;

/// <summary>
/// Wraps a real store to fail chosen commits (after the work ran, so the inner store rolls it back) and to hold
/// writes at a gate, so a test can make callers pile up into one group commit.
/// </summary>
internal sealed class FaultyOperationStore(IOperationStore inner) : IOperationStore
{
    private readonly object _gate = new();
    private TaskCompletionSource _release = CompletedSource();
    private int _writes;

    /// <summary>Decides by the 1-based number of a write whether its commit fails.</summary>
    public Func<int, bool> FailCommit { get; set; } = _ => false;

    /// <summary>How many writes passed the gate so far.</summary>
    public int Writes => Volatile.Read(ref _writes);

    /// <summary>Completes when a write is waiting at the gate.</summary>
    public TaskCompletionSource WriteWaiting { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Hold()
    {
        lock (_gate)
        {
            _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            WriteWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _release.TrySetResult();
        }
    }

    public Task OpenAsync(CancellationToken cancellationToken = default) => inner.OpenAsync(cancellationToken);

    public async Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default)
    {
        Task release;
        lock (_gate)
        {
            release = _release.Task;
            WriteWaiting.TrySetResult();
        }

        await release.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken);
        var number = Interlocked.Increment(ref _writes);
        return await inner.WriteAsync(
            tx =>
            {
                var result = work(tx);
                if (FailCommit(number))
                {
                    throw new IOException($"Injected commit failure of write {number}.");
                }

                return result;
            },
            cancellationToken);
    }

    public Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default) => inner.GetAsync(operationId, cancellationToken);

    public Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default) =>
        inner.GetByStateAsync(state, offset, limit, cancellationToken);

    public Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default) =>
        inner.GetNextScheduledAfterAsync(after, cancellationToken);

    public Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default) => inner.GetOldestPendingCreatedAtAsync(cancellationToken);

    public Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default) => inner.GetCountsAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private static TaskCompletionSource CompletedSource()
    {
        var source = new TaskCompletionSource();
        source.SetResult();
        return source;
    }
}
