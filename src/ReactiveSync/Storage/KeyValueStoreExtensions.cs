using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace ReactiveSync.Storage;

/// <summary>Typed access to an <see cref="IKeyValueStore"/>: values are stored as JSON with the caller's serializer settings.</summary>
public static class KeyValueStoreExtensions
{
    /// <summary>Stores <paramref name="value"/> as JSON under <paramref name="key"/>.</summary>
    public static Task InsertObjectAsync<T>(
        this IKeyValueStore store, string key, T value, JsonTypeInfo<T> typeInfo, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(typeInfo);
        return store.SetAsync(key, JsonSerializer.Serialize(value, typeInfo), expiresAt, cancellationToken);
    }

    /// <summary>Stores <paramref name="value"/> as JSON under <paramref name="key"/>, with reflection-based serialization.</summary>
    public static Task InsertObjectAsync<T>(
        this IKeyValueStore store, string key, T value, JsonSerializerOptions? options = null, DateTimeOffset? expiresAt = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.SetAsync(key, JsonSerializer.Serialize(value, options), expiresAt, cancellationToken);
    }

    /// <summary>Reads the value under <paramref name="key"/>, or default when absent or expired.</summary>
    public static async Task<T?> GetObjectAsync<T>(
        this IKeyValueStore store, string key, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(typeInfo);
        var json = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return json is null ? default : JsonSerializer.Deserialize(json, typeInfo);
    }

    /// <summary>Reads the value under <paramref name="key"/>, or default when absent or expired, with reflection-based serialization.</summary>
    public static async Task<T?> GetObjectAsync<T>(
        this IKeyValueStore store, string key, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        var json = await store.GetAsync(key, cancellationToken).ConfigureAwait(false);
        return json is null ? default : JsonSerializer.Deserialize<T>(json, options);
    }
}
