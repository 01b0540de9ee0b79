using System.Globalization;
using ReactiveSync.Downloads;
using ReactiveSync.Model;

namespace ReactiveSync.Demo;

/// <summary>
/// Wraps a device's real content source to show when a download resumes with a range request after a cut connection,
/// and when opening one fails. It only watches: calls, answers and exceptions go through unchanged.
/// </summary>
internal sealed class WatchedContentSource(IContentSource inner, DeviceCounters counters, Action<string, LogKind> log, Func<string, string> describe)
    : IContentSource
{
    public Task<ContentInfo> GetInfoAsync(string resourceId, CancellationToken cancellationToken) => inner.GetInfoAsync(resourceId, cancellationToken);

    public async Task<ContentResponse> OpenReadAsync(string resourceId, long offset, string? ifRangeETag, CancellationToken cancellationToken)
    {
        try
        {
            var response = await inner.OpenReadAsync(resourceId, offset, ifRangeETag, cancellationToken).ConfigureAwait(false);
            if (offset > 0)
            {
                log(response.Offset == offset
                    ? string.Create(CultureInfo.InvariantCulture, $"download of \"{describe(resourceId)}\" resumes at {offset / 1024.0:0} KB with a range request (If-Range {ifRangeETag})")
                    : $"download of \"{describe(resourceId)}\" restarts from byte 0: the server sent the whole file", LogKind.Warning);
            }

            return response;
        }
        catch (SyncException ex)
        {
            counters.AddRequestFailure();
            log($"download of \"{describe(resourceId)}\" could not start: {ex.Error.Message} (retried with backoff)", LogKind.Warning);
            throw;
        }
    }
}
