namespace ReactiveSync.Model;

/// <summary>A classified sync failure: its kind, a message for people, and whether retrying can help.</summary>
/// <param name="Type">The kind of failure.</param>
/// <param name="Message">What went wrong, safe to show and log (never a payload or a token).</param>
/// <param name="IsRetryable">Whether the engine retries the operation with backoff.</param>
/// <param name="RetryAfter">The server's Retry-After hint, when it gave one.</param>
/// <param name="StatusCode">The HTTP status code, when the failure came from an HTTP answer.</param>
public sealed record SyncError(
    SyncErrorType Type,
    string Message,
    bool IsRetryable,
    TimeSpan? RetryAfter = null,
    int? StatusCode = null)
{
    /// <summary>Creates an error whose retryability is the default for its kind (only Network is retried; Storage may be).</summary>
    public static SyncError Of(SyncErrorType type, string message, TimeSpan? retryAfter = null, int? statusCode = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        return new SyncError(type, message, type is SyncErrorType.Network, retryAfter, statusCode);
    }
}
