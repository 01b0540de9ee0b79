using System.Collections.Concurrent;
using System.Reactive.Concurrency;

namespace ReactiveSync.Storage;

/// <summary>A key-value store in memory, for tests and apps that keep nothing across restarts. Thread-safe.</summary>
public sealed class InMemoryKeyValueStore : IKeyValueStore
{
    private readonly ConcurrentDictionary<string, (string Json, DateTimeOffset? ExpiresAt)> _entries = new(StringComparer.Ordinal);
    private readonly IScheduler _scheduler;

    /// <summary>Creates an empty store whose expiry is judged by <paramref name="scheduler"/>'s clock.</summary>
    public InMemoryKeyValueStore(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
    }

    /// <inheritdoc/>
    public Task SetAsync(string key, string json, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        KeyValueStoreArguments.ValidateKey(key);
        ArgumentNullException.ThrowIfNull(json);
        cancellationToken.ThrowIfCancellationRequested();
        _entries[key] = (json, expiresAt);
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<string?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyValueStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_entries.TryGetValue(key, out var entry) && !IsExpired(entry.ExpiresAt) ? entry.Json : null);
    }

    /// <inheritdoc/>
    public Task<bool> InvalidateAsync(string key, CancellationToken cancellationToken = default)
    {
        KeyValueStoreArguments.ValidateKey(key);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(_entries.TryRemove(key, out var entry) && !IsExpired(entry.ExpiresAt));
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<string>> GetKeysAsync(string prefix, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        cancellationToken.ThrowIfCancellationRequested();
        IReadOnlyList<string> keys = _entries
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && !IsExpired(e.Value.ExpiresAt))
            .Select(e => e.Key)
            .Order(StringComparer.Ordinal)
            .ToList();
        return Task.FromResult(keys);
    }

    private bool IsExpired(DateTimeOffset? expiresAt) => expiresAt is { } at && at <= _scheduler.Now;
}
