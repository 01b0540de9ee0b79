using System.Collections.Concurrent;
using ReactiveSync.Downloads;

namespace ReactiveSync.Tests.Downloads;

/// <summary>
/// A download store that records every row stored, with the length of the partial file under the content root at that
/// moment, and passes each call on to an inner store.
/// </summary>
internal sealed class ProbingDownloadStore(IDownloadStore inner, string contentRoot) : IDownloadStore
{
    public ConcurrentQueue<(DownloadRecord Record, long PartialLength)> Rows { get; } = new();

    public Task<IReadOnlyList<DownloadRecord>> GetAllAsync(CancellationToken cancellationToken = default) => inner.GetAllAsync(cancellationToken);

    public Task<DownloadRecord?> GetAsync(string resourceId, CancellationToken cancellationToken = default) => inner.GetAsync(resourceId, cancellationToken);

    public Task UpsertAsync(DownloadRecord record, CancellationToken cancellationToken = default)
    {
        var partial = Directory.Exists(contentRoot) ? Directory.GetFiles(contentRoot, "*.part").FirstOrDefault() : null;
        Rows.Enqueue((record, partial is null ? -1 : new FileInfo(partial).Length));
        return inner.UpsertAsync(record, cancellationToken);
    }

    public Task<bool> RemoveAsync(string resourceId, CancellationToken cancellationToken = default) => inner.RemoveAsync(resourceId, cancellationToken);
}
