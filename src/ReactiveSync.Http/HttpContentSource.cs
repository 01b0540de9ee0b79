using System.Net;
using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using ReactiveSync.Downloads;
using ReactiveSync.Http.Internal;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Http;

/// <summary>
/// Reads resource content from the sync server's <c>/sync/content/{id}</c>: <c>HEAD</c> for size and entity tag, and
/// streamed <c>GET</c>s resuming with <c>Range: bytes=N-</c> guarded by <c>If-Range</c> on a strong entity tag, always
/// asking for <c>Accept-Encoding: identity</c> so byte offsets mean file offsets. Failures are classified like the
/// transport's (404 is Unknown, not retryable). Get one sharing the transport's connections from
/// <see cref="HttpSyncTransport.ContentSource"/>, or create a standalone one.
/// </summary>
public sealed class HttpContentSource : IContentSource, IDisposable
{
    private readonly SyncHttpClient _http;
    private readonly bool _ownsClient;

    /// <summary>Creates a standalone content source with its own connections; see <see cref="HttpSyncTransport(Uri, IAccessTokenProvider, IScheduler, HttpSyncTransportOptions?, ILogger?, HttpMessageHandler?)"/> for the parameters.</summary>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The URI is not absolute http(s), or an option is invalid.</exception>
    public HttpContentSource(
        Uri serverBaseUri,
        IAccessTokenProvider tokenProvider,
        IScheduler scheduler,
        HttpSyncTransportOptions? options = null,
        ILogger? logger = null,
        HttpMessageHandler? handler = null)
        : this(new SyncHttpClient(serverBaseUri, tokenProvider, scheduler, options, logger, handler), ownsClient: true)
    {
    }

    internal HttpContentSource(SyncHttpClient http, bool ownsClient = false)
    {
        _http = http;
        _ownsClient = ownsClient;
    }

    /// <inheritdoc/>
    public Task<ContentInfo> GetInfoAsync(string resourceId, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return _http.ExecuteAsync(
            "content info",
            (api, ct) => api.HeadContentAsync(resourceId, ct),
            static (response, _) =>
            {
                using (response)
                {
                    var eTag = response.Headers.ETag;
                    return Task.FromResult(new ContentInfo(response.Content.Headers.ContentLength, eTag?.ToString(), eTag is { IsWeak: false }));
                }
            },
            cancellationToken);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// A range is only asked for when <paramref name="offset"/> is positive and <paramref name="ifRangeETag"/> is strong;
    /// otherwise the whole content is asked for (resuming without a validator could splice two versions of a file).
    /// A 416 (the offset is past the end, e.g. the file shrank) is answered by asking for the whole content.
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public async Task<ContentResponse> OpenReadAsync(string resourceId, long offset, string? ifRangeETag, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        var resume = offset > 0 && IsStrong(ifRangeETag);
        try
        {
            return await OpenAsync(resourceId, resume ? offset : 0, resume ? ifRangeETag : null, cancellationToken).ConfigureAwait(false);
        }
        catch (SyncException ex) when (resume && ex.Error.StatusCode == (int)HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return await OpenAsync(resourceId, 0, null, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsClient)
        {
            _http.Dispose();
        }
    }

    private Task<ContentResponse> OpenAsync(string resourceId, long offset, string? ifRange, CancellationToken cancellationToken)
    {
        const string what = "content download";
        return _http.ExecuteAsync(
            what,
            (api, ct) => api.GetContentAsync(resourceId, offset > 0 ? $"bytes={offset}-" : null, ifRange, ct),
            async (response, ct) =>
            {
                try
                {
                    var status = (int)response.StatusCode;
                    var eTag = response.Headers.ETag;
                    long start = 0;
                    long? total = response.Content.Headers.ContentLength;
                    var partial = response.StatusCode == HttpStatusCode.PartialContent;
                    if (partial)
                    {
                        var range = response.Content.Headers.ContentRange;
                        if (range is not { HasRange: true, From: { } from } || !string.Equals(range.Unit, "bytes", StringComparison.OrdinalIgnoreCase))
                        {
                            throw new SyncException(HttpErrorClassifier.Malformed(what, "a 206 without a byte Content-Range", status));
                        }

                        if (from != offset)
                        {
                            throw new SyncException(HttpErrorClassifier.Malformed(what, $"a range starting at byte {from} where {offset} was asked for", status));
                        }

                        start = from;
                        total = range.Length;
                    }
                    else if (response.StatusCode != HttpStatusCode.OK)
                    {
                        throw new SyncException(HttpErrorClassifier.Malformed(what, $"status {status} instead of 200 or 206", status));
                    }

                    var stream = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                    return new ContentResponse(
                        new ContentStream(stream, what),
                        start,
                        total,
                        eTag?.ToString(),
                        eTag is { IsWeak: false },
                        partial,
                        response);
                }
                catch
                {
                    response.Dispose();
                    throw;
                }
            },
            cancellationToken);
    }

    private static bool IsStrong(string? eTag) =>
        eTag is { Length: >= 2 } && eTag[0] == '"' && eTag[^1] == '"';
}
