using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Demo;

/// <summary>Reads the server's pull feed from the start: every resource at its latest state.</summary>
internal static class ServerFeed
{
    private const int PageSize = 500;

    /// <summary>
    /// Pulls every page from the start through <paramref name="transport"/> and answers the live resources. A transient
    /// failure (a fault the server injects) is retried a few times: the feed is read, not judged.
    /// </summary>
    public static async Task<IReadOnlyDictionary<ResourceKey, ResourceState>> ReadAsync(ISyncTransport transport, CancellationToken cancellationToken)
    {
        var latest = new Dictionary<ResourceKey, ServerChange>();
        long? checkpoint = null;
        while (true)
        {
            var page = await WithRetriesAsync(ct => transport.PullAsync(checkpoint, PageSize, ct), cancellationToken).ConfigureAwait(false);
            foreach (var change in page.Changes)
            {
                latest[ResourceKey.Of(change.ResourceType, change.ResourceId)] = change;
            }

            checkpoint = page.Checkpoint;
            if (!page.HasMore)
            {
                break;
            }
        }

        return latest
            .Where(pair => !pair.Value.Deleted && pair.Value.Data is not null)
            .ToDictionary(pair => pair.Key, pair => new ResourceState(pair.Value.Version, pair.Value.Data!));
    }

    private static async Task<T> WithRetriesAsync<T>(Func<CancellationToken, Task<T>> call, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await call(cancellationToken).ConfigureAwait(false);
            }
            catch (SyncException ex) when (ex.Error.IsRetryable && attempt < 8)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(100 * attempt), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
