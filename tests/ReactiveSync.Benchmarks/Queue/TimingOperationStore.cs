using System.Diagnostics;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Benchmarks.Queue;

/// <summary>Wraps a store to time the work inside each transaction (reads and writes, without the commit's fsync).</summary>
internal sealed class TimingOperationStore(IOperationStore inner) : IOperationStore
{
    /// <summary>Milliseconds the last transaction's work took before its commit.</summary>
    public double LastWorkMs { get; private set; }

    public Task OpenAsync(CancellationToken cancellationToken = default) => inner.OpenAsync(cancellationToken);

    /// <summary>Milliseconds all durable transactions spent in their work, and in all (work, commit and its fsync).</summary>
    public (double WorkMs, double TotalMs, int Commits) Durable { get; private set; }

    public async Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var result = await inner.WriteAsync(
            tx =>
            {
                var clock = Stopwatch.StartNew();
                var result = work(tx);
                LastWorkMs = clock.Elapsed.TotalMilliseconds;
                return result;
            },
            cancellationToken).ConfigureAwait(false);
        Durable = (Durable.WorkMs + LastWorkMs, Durable.TotalMs + total.Elapsed.TotalMilliseconds, Durable.Commits + 1);
        return result;
    }

    public Task<T> WriteResendableAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
        inner.WriteResendableAsync(
            tx =>
            {
                var clock = Stopwatch.StartNew();
                var result = work(tx);
                LastWorkMs = clock.Elapsed.TotalMilliseconds;
                return result;
            },
            cancellationToken);

    public Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default) => inner.GetAsync(operationId, cancellationToken);

    public Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default) =>
        inner.GetByStateAsync(state, offset, limit, cancellationToken);

    public Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default) =>
        inner.GetNextScheduledAfterAsync(after, cancellationToken);

    public Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default) => inner.GetOldestPendingCreatedAtAsync(cancellationToken);

    public Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default) => inner.GetCountsAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
