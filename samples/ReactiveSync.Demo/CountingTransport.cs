using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Demo;

/// <summary>
/// Wraps a device's real transport to show each push and pull as it happens: the batch, the server's answers, the
/// failures. It only watches: every call and every exception goes through unchanged.
/// </summary>
internal sealed class CountingTransport(ISyncTransport inner, DeviceCounters counters, Action<string, LogKind> log, Func<string, string> describeContent) : ISyncTransport
{
    /// <inheritdoc/>
    public TimeSpan ServerClockOffset => inner.ServerClockOffset;

    /// <inheritdoc/>
    public async Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken)
    {
        counters.AddBatch();
        var number = counters.Batches;
        try
        {
            var results = await inner.PushAsync(clientId, operations, cancellationToken).ConfigureAwait(false);
            var applied = results.Count(r => r.Status == PushStatus.Applied);
            var duplicates = results.Count(r => r.Status == PushStatus.Duplicate);
            var conflicts = results.Count(r => r.Status == PushStatus.Conflict);
            var rejected = results.Count(r => r.Status == PushStatus.Rejected);
            counters.AddDuplicates(duplicates);
            var parts = new List<string> { $"{applied} applied" };
            if (duplicates > 0)
            {
                parts.Add($"{duplicates} duplicate (applied before the answer was lost)");
            }

            if (conflicts > 0)
            {
                parts.Add($"{conflicts} conflict");
            }

            if (rejected > 0)
            {
                parts.Add($"{rejected} rejected");
            }

            log($"batch #{number}: {operations.Count} ops ({Mix(operations)}) -> {string.Join(", ", parts)}", conflicts + rejected > 0 ? LogKind.Warning : LogKind.Info);
            return results;
        }
        catch (SyncException ex)
        {
            counters.AddRequestFailure();
            var what = ex.Error.IsRetryable ? "will retry with backoff" : "not retryable";
            log($"batch #{number}: {operations.Count} ops failed: {Short(ex.Error)} ({what})", LogKind.Warning);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken)
    {
        try
        {
            var page = await inner.PullAsync(checkpoint, limit, cancellationToken).ConfigureAwait(false);
            counters.AddPull(page.Changes.Count);
            if (page.Changes.Count > 0)
            {
                log($"pull: {page.Changes.Count} server changes (checkpoint {page.Checkpoint}{(page.HasMore ? ", more follow" : string.Empty)})", LogKind.Info);
            }

            return page;
        }
        catch (SyncException ex)
        {
            counters.AddRequestFailure();
            log($"pull failed: {Short(ex.Error)}", LogKind.Warning);
            throw;
        }
    }

    /// <inheritdoc/>
    public async Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken)
    {
        var size = content.CanSeek ? content.Length - content.Position : (long?)null;
        try
        {
            await inner.UploadContentAsync(resourceId, content, contentType, cancellationToken).ConfigureAwait(false);
            log($"uploaded \"{describeContent(resourceId)}\" ({size?.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) ?? "?"} bytes, {contentType ?? "no type"}) before pushing its operation", LogKind.Success);
        }
        catch (SyncException ex)
        {
            counters.AddRequestFailure();
            log($"upload of \"{describeContent(resourceId)}\" failed, so its batch waits: {Short(ex.Error)}", LogKind.Warning);
            throw;
        }
    }

    private static string Mix(IReadOnlyList<OfflineOperation> operations) =>
        string.Join(", ", operations
            .GroupBy(op => op.ResourceType.Value)
            .OrderByDescending(g => g.Count())
            .Select(g => $"{g.Count()} {g.Key}"));

    private static string Short(SyncError error)
    {
        var message = error.Message.Length > 90 ? error.Message[..90] + "..." : error.Message;
        return error.StatusCode is { } code ? $"{code} {message}" : $"{error.Type}: {message}";
    }
}
