using System.Net;
using System.Text.Json;
using ReactiveSync.Http.Wire;
using ReactiveSync.Model;

namespace ReactiveSync.Http.Internal;

/// <summary>Turns an HTTP answer or a transport failure into a classified <see cref="SyncError"/> (the architecture's status-code list).</summary>
internal static class HttpErrorClassifier
{
    // Error bodies are small; a server answering an error with megabytes of HTML is not read further.
    private const int MaxErrorBodyBytes = 64 * 1024;

    public static async Task<SyncError> FromResponseAsync(HttpResponseMessage response, string what, DateTimeOffset clientNow, CancellationToken cancellationToken)
    {
        var status = (int)response.StatusCode;
        var retryAfter = RetryAfter(response, clientNow);
        var serverMessage = await ReadServerMessageAsync(response, cancellationToken).ConfigureAwait(false);
        return FromStatus(status, what, serverMessage, retryAfter);
    }

    public static SyncError FromStatus(int status, string what, string? serverMessage, TimeSpan? retryAfter)
    {
        string Describe(string fallback) =>
            serverMessage is { Length: > 0 } ? $"{fallback} ({status}): {serverMessage}" : $"{fallback} ({status}).";

        return status switch
        {
            401 or 403 => SyncError.Of(SyncErrorType.Authentication, Describe($"The server refused the credentials for {what}"), retryAfter, status),
            400 or 422 => SyncError.Of(SyncErrorType.Validation, serverMessage is { Length: > 0 } ? serverMessage : $"The server rejected {what} as invalid ({status}).", retryAfter, status),
            409 => SyncError.Of(SyncErrorType.Conflict, Describe($"The server reported a conflict for {what}"), retryAfter, status),
            413 or 507 => SyncError.Of(SyncErrorType.QuotaExceeded, Describe($"The server's storage quota would be exceeded by {what}"), retryAfter, status),
            408 or 429 => SyncError.Of(SyncErrorType.Network, Describe($"The server asked to retry {what} later"), retryAfter, status),
            >= 500 => SyncError.Of(SyncErrorType.Network, Describe($"The server failed {what}"), retryAfter, status),
            404 => SyncError.Of(SyncErrorType.Unknown, Describe($"The server found nothing for {what}"), retryAfter, status),
            _ => SyncError.Of(SyncErrorType.Unknown, Describe($"The server answered {what} unexpectedly"), retryAfter, status),
        };
    }

    /// <summary>Parses <c>Retry-After</c>: delta seconds, or an HTTP date taken relative to the response's <c>Date</c> (else the client clock).</summary>
    public static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset clientNow)
    {
        var header = response.Headers.RetryAfter;
        if (header is null)
        {
            return null;
        }

        if (header.Delta is { } delta)
        {
            return delta < TimeSpan.Zero ? TimeSpan.Zero : delta;
        }

        if (header.Date is { } date)
        {
            var now = response.Headers.Date ?? clientNow;
            var wait = date - now;
            return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
        }

        return null;
    }

    public static SyncError Malformed(string what, string detail, int? status) =>
        new(SyncErrorType.Unknown, $"The server's answer to {what} was malformed: {detail}.", IsRetryable: true, StatusCode: status);

    public static SyncError Timeout(string what, TimeSpan timeout) =>
        SyncError.Of(SyncErrorType.Network, $"The server did not answer {what} within {timeout.TotalSeconds:0.###} s.");

    public static SyncError Unreachable(string what, Exception exception)
    {
        var reason = exception switch
        {
            HttpRequestException { HttpRequestError: not HttpRequestError.Unknown } h => h.HttpRequestError.ToString(),
            HttpRequestException { InnerException: { } inner } => inner.GetType().Name,
            _ => exception.GetType().Name,
        };
        return SyncError.Of(SyncErrorType.Network, $"Could not reach the server for {what} ({reason}).");
    }

    private static async Task<string?> ReadServerMessageAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            if (response.Content.Headers.ContentLength is > MaxErrorBodyBytes)
            {
                return null;
            }

            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = new byte[MaxErrorBodyBytes];
                var length = 0;
                int read;
                while (length < buffer.Length
                       && (read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken).ConfigureAwait(false)) > 0)
                {
                    length += read;
                }

                var body = JsonSerializer.Deserialize<ErrorBodyDto>(buffer.AsSpan(0, length), WireJson.Options);
                return body?.Error?.Message is { Length: > 0 } message ? Shorten(message) : null;
            }
        }
        catch (Exception ex) when (ex is JsonException or IOException or HttpRequestException or NotSupportedException or InvalidOperationException)
        {
            // The protocol says the body may be absent or not JSON: the status code alone classifies.
            return null;
        }
    }

    private static string Shorten(string message) => message.Length <= 500 ? message : string.Concat(message.AsSpan(0, 500), "…");
}
