using System.Collections.Concurrent;

namespace ReactiveSync.Downloads;

/// <summary>An <see cref="IDownloadStore"/> in memory, for tests and apps that keep no downloads across restarts. Thread-safe.</summary>
public sealed class InMemoryDownloadStore : IDownloadStore
{
    private readonly ConcurrentDictionary<string, DownloadRecord> _rows = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public Task<IReadOnlyList<DownloadRecord>> GetAllAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult<IReadOnlyList<DownloadRecord>>(_rows.Values.OrderBy(static r => r.Order).ToList());
    }

    /// <inheritdoc/>
    public Task<DownloadRecord?> GetAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_rows.TryGetValue(resourceId, out var row) ? row : null);
    }

    /// <inheritdoc/>
    public Task UpsertAsync(DownloadRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentException.ThrowIfNullOrEmpty(record.ResourceId, nameof(record));
        cancellationToken.ThrowIfCancellationRequested();
        _rows[record.ResourceId] = record;
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<bool> RemoveAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_rows.TryRemove(resourceId, out _));
    }
}
