namespace ReactiveSync.Model;

/// <summary>The kind of a sync failure, which decides how the engine handles it.</summary>
public enum SyncErrorType
{
    /// <summary>The network or the server was unavailable (connection failures, timeouts, 5xx, 429): retried with backoff.</summary>
    Network,

    /// <summary>Credentials were missing, invalid or expired (401/403): the queue pauses until they are renewed.</summary>
    Authentication,

    /// <summary>The server rejected the data (400/422): the operation fails until the app edits and retries it.</summary>
    Validation,

    /// <summary>The server's copy changed since the client's base version (409): resolved by strategy.</summary>
    Conflict,

    /// <summary>The local store failed (disk full, corrupt file).</summary>
    Storage,

    /// <summary>A storage quota, local or on the server (413/507), would be exceeded.</summary>
    QuotaExceeded,

    /// <summary>Anything else, including malformed server answers.</summary>
    Unknown,
}
