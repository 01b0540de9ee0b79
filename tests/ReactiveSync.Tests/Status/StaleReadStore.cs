using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Tests.Status;

/// <summary>
/// Wraps a real store so that, while held, a page read by state is taken at once and answered only when released: the
/// test can change the queue in between, making the answer stale.
/// </summary>
internal sealed class StaleReadStore(IOperationStore inner) : IOperationStore
{
    private TaskCompletionSource? _release;

    /// <summary>Completes when a held read has taken its page.</summary>
    public TaskCompletionSource ReadTaken { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Hold() => _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Release() => _release?.TrySetResult();

    public async Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default)
    {
        var page = await inner.GetByStateAsync(state, offset, limit, cancellationToken);
        if (_release is { } release)
        {
            ReadTaken.TrySetResult();
            await release.Task.WaitAsync(StatusTestEngine.Patience, cancellationToken);
        }

        return page;
    }

    public Task OpenAsync(CancellationToken cancellationToken = default) => inner.OpenAsync(cancellationToken);

    public Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) => inner.WriteAsync(work, cancellationToken);

    public Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default) => inner.GetAsync(operationId, cancellationToken);

    public Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default) =>
        inner.GetNextScheduledAfterAsync(after, cancellationToken);

    public Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default) =>
        inner.GetOldestPendingCreatedAtAsync(cancellationToken);

    public Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default) => inner.GetCountsAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}
