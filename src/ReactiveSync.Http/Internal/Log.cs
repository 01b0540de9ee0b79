using Microsoft.Extensions.Logging;

namespace ReactiveSync.Http.Internal;

/// <summary>The HTTP transport's log messages; none carries a payload or a token.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Access token expires within the renewal margin; renewing before the request")]
    public static partial void RenewingBeforeExpiry(ILogger logger);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Server answered 401; renewing the access token and retrying once")]
    public static partial void RenewingAfterUnauthorized(ILogger logger);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "{What} failed: {ErrorType} (status {StatusCode}, retryable {IsRetryable}): {Message}")]
    public static partial void CallFailed(ILogger logger, string what, Model.SyncErrorType errorType, int? statusCode, bool isRetryable, string message);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "{What} answered {StatusCode}")]
    public static partial void CallSucceeded(ILogger logger, string what, int statusCode);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Network status now {IsOnline} ({Kind})")]
    public static partial void NetworkStatusChanged(ILogger logger, bool isOnline, Network.NetworkKind kind);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Health probe failed: {Reason}")]
    public static partial void ProbeFailed(ILogger logger, string reason);
}
