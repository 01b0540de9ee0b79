using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Benchmarks.Queue;

/// <summary>Forwards every read, open and dispose to a store, so a timing wrapper only says how it writes.</summary>
internal abstract class DelegatingOperationStore(IOperationStore inner) : IOperationStore
{
    protected IOperationStore Inner { get; } = inner;

    public Task OpenAsync(CancellationToken cancellationToken = default) => Inner.OpenAsync(cancellationToken);

    public abstract Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default);

    public abstract Task<T> WriteResendableAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default);

    public Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default) => Inner.GetAsync(operationId, cancellationToken);

    public Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default) =>
        Inner.GetByStateAsync(state, offset, limit, cancellationToken);

    public Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default) =>
        Inner.GetNextScheduledAfterAsync(after, cancellationToken);

    public Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default) => Inner.GetOldestPendingCreatedAtAsync(cancellationToken);

    public Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default) => Inner.GetCountsAsync(cancellationToken);

    public ValueTask DisposeAsync() => Inner.DisposeAsync();
}
