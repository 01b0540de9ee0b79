using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using ReactiveSync.Downloads;
using ReactiveSync.Http.Internal;
using ReactiveSync.Http.Wire;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Http;

/// <summary>
/// Carries the sync protocol over HTTP (push, pull, content upload) with bearer-token auth, a per-call timeout on the
/// injected scheduler, and every failure classified as a <see cref="SyncException"/>: 401/403 Authentication, 400/422
/// Validation, 409 Conflict, 413/507 QuotaExceeded, 408/429/5xx, timeouts and connection failures Network (retryable,
/// with Retry-After), malformed answers Unknown but retryable. Caller cancellation propagates unchanged.
/// Thread-safe; dispose it to release its connections.
/// </summary>
public sealed class HttpSyncTransport : ISyncTransport, IDisposable
{
    private readonly SyncHttpClient _http;

    /// <summary>Creates a transport for the server at <paramref name="serverBaseUri"/>.</summary>
    /// <param name="serverBaseUri">The server's base address; the protocol's routes (<c>sync/push</c>...) are resolved under it.</param>
    /// <param name="tokenProvider">Supplies bearer tokens; asked to renew before a known expiry and once after a 401.</param>
    /// <param name="scheduler">The clock for timeouts, token expiry and the server clock offset.</param>
    /// <param name="options">Timeout, renewal margin, user agent; null for <see cref="HttpSyncTransportOptions.Default"/>.</param>
    /// <param name="logger">Receives call outcomes, never payloads or tokens.</param>
    /// <param name="handler">The innermost HTTP handler (a stub in tests, a configured <see cref="SocketsHttpHandler"/>); owned and disposed by the transport. Null for a default one.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The URI is not absolute http(s), or an option is invalid (the message names it).</exception>
    public HttpSyncTransport(
        Uri serverBaseUri,
        IAccessTokenProvider tokenProvider,
        IScheduler scheduler,
        HttpSyncTransportOptions? options = null,
        ILogger? logger = null,
        HttpMessageHandler? handler = null)
    {
        _http = new SyncHttpClient(serverBaseUri, tokenProvider, scheduler, options, logger, handler);
        ContentSource = new HttpContentSource(_http);
    }

    /// <summary>Content downloads over the same connections and credentials as this transport.</summary>
    public IContentSource ContentSource { get; }

    /// <inheritdoc/>
    /// <remarks>The latest sample wins (no smoothing); one-second resolution, the <c>Date</c> header's.</remarks>
    public TimeSpan ServerClockOffset => _http.ServerClockOffset;

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="clientId"/> is empty, or an operation is null or lacks its resource.</exception>
    public async Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentNullException.ThrowIfNull(operations);
        // Validates every operation before anything is sent, as the caller's argument exception.
        using var body = PushBody.Create(clientId, operations);
        if (operations.Count == 0)
        {
            return [];
        }

        var what = $"push of {operations.Count} operations";
        return await _http.ExecuteAsync(
            what,
            (api, ct) => api.PushAsync(body, ct),
            async (response, ct) =>
            {
                using (response)
                {
                    var dto = await WireReader.ReadJsonAsync<PushResponseDto>(response, what, ct).ConfigureAwait(false);
                    return WireMapper.FromWire(dto, operations, what, (int)response.StatusCode);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="checkpoint"/> is negative or <paramref name="limit"/> is not positive.</exception>
    public async Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken)
    {
        if (checkpoint is < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(checkpoint), checkpoint, "The checkpoint cannot be negative.");
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        const string what = "pull";
        return await _http.ExecuteAsync(
            what,
            (api, ct) => api.PullAsync(checkpoint, limit, ct),
            async (response, ct) =>
            {
                using (response)
                {
                    var dto = await WireReader.ReadJsonAsync<PullResponseDto>(response, what, ct).ConfigureAwait(false);
                    return WireMapper.FromWire(dto, what, (int)response.StatusCode);
                }
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    /// <remarks>
    /// Streams <paramref name="content"/> from its current position with <c>PUT /sync/content/{id}</c>; the stream is
    /// not disposed. A seekable stream can be replayed once after a 401; a forward-only one gets the 401 as an
    /// Authentication error.
    /// </remarks>
    /// <exception cref="ArgumentException"><paramref name="resourceId"/> is empty, <c>.</c> or <c>..</c>, or <paramref name="contentType"/> is not a media type.</exception>
    public Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken)
    {
        ContentRoute.Validate(resourceId, nameof(resourceId));
        ArgumentNullException.ThrowIfNull(content);
        if (!content.CanRead)
        {
            throw new ArgumentException("The content stream must be readable.", nameof(content));
        }

        MediaTypeHeaderValue? mediaType = null;
        if (contentType is not null && !MediaTypeHeaderValue.TryParse(contentType, out mediaType))
        {
            throw new ArgumentException($"'{contentType}' is not a media type.", nameof(contentType));
        }

        return UploadAsync(resourceId, content, mediaType ?? new MediaTypeHeaderValue("application/octet-stream"), cancellationToken);
    }

    /// <inheritdoc/>
    public void Dispose() => _http.Dispose();

    private async Task UploadAsync(string resourceId, Stream content, MediaTypeHeaderValue mediaType, CancellationToken cancellationToken)
    {
        const string what = "content upload";
        await _http.ExecuteAsync(
            what,
            (api, ct) =>
            {
                var body = new UploadContent(content);
                body.Headers.ContentType = mediaType;
                return api.PutContentAsync(resourceId, body, ct);
            },
            static (response, _) =>
            {
                response.Dispose();
                return Task.FromResult(true);
            },
            cancellationToken).ConfigureAwait(false);
    }
}
