namespace ReactiveSync.Storage;

/// <summary>
/// Port: a small durable store of JSON values by key, with optional expiry (what Akavache would have been), for
/// checkpoints, settings, scheduled tasks and metrics kept across restarts. Expiry is judged by the injected scheduler's clock.
/// </summary>
public interface IKeyValueStore
{
    /// <summary>Stores <paramref name="json"/> under <paramref name="key"/>, replacing any value; completes after it is durable.</summary>
    Task SetAsync(string key, string json, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default);

    /// <summary>Gets the JSON stored under <paramref name="key"/>, or null when absent or expired.</summary>
    Task<string?> GetAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Removes the value; answers whether there was one.</summary>
    Task<bool> InvalidateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>Lists the unexpired keys starting with <paramref name="prefix"/>, in ordinal order.</summary>
    Task<IReadOnlyList<string>> GetKeysAsync(string prefix, CancellationToken cancellationToken = default);
}
