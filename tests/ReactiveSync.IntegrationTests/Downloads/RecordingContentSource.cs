using System.Collections.Concurrent;
using ReactiveSync.Downloads;

namespace ReactiveSync.IntegrationTests.Downloads;

/// <summary>Passes through to a real content source and records what each request asked for and got back.</summary>
internal sealed class RecordingContentSource(IContentSource inner) : IContentSource
{
    public ConcurrentQueue<(long AskedOffset, string? IfRange, long ServedOffset, bool Partial)> Requests { get; } = new();

    public Task<ContentInfo> GetInfoAsync(string resourceId, CancellationToken cancellationToken) => inner.GetInfoAsync(resourceId, cancellationToken);

    public async Task<ContentResponse> OpenReadAsync(string resourceId, long offset, string? ifRangeETag, CancellationToken cancellationToken)
    {
        var response = await inner.OpenReadAsync(resourceId, offset, ifRangeETag, cancellationToken);
        Requests.Enqueue((offset, ifRangeETag, response.Offset, response.IsPartial));
        return response;
    }
}
