using ReactiveSync.Model;

namespace ReactiveSync.Pull;

/// <summary>
/// Port: the local replica of server resources and the pull checkpoint, kept together so that a pulled page and its
/// checkpoint commit in one transaction (a crash never skips or doubles a change).
/// </summary>
/// <remarks>
/// Every write keeps, per resource, the copy with the highest version: a row with a lower version than the one stored
/// is ignored, an equal or higher one replaces it (the server's copy of a version is authoritative). Implementations are
/// thread-safe; <see cref="Changed"/> emits after each commit, one call at a time.
/// </remarks>
public interface IReplicaStore
{
    /// <summary>The resources written by each commit, after it committed. Never errors.</summary>
    IObservable<IReadOnlyList<ReplicaKey>> Changed { get; }

    /// <summary>The stored pull checkpoint (the server sequence of the last applied change); null before the first pull.</summary>
    Task<long?> GetCheckpointAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="resources"/> and sets the checkpoint to <paramref name="checkpoint"/> in one transaction:
    /// both are kept, or neither. Answers how many rows were written (rows older than the stored ones are skipped).
    /// </summary>
    Task<int> ApplyPageAsync(IReadOnlyList<ReplicaResource> resources, long checkpoint, CancellationToken cancellationToken = default);

    /// <summary>Writes one resource (a server copy after a conflict, or a pushed change), unless a newer version is stored. Answers whether it was written.</summary>
    Task<bool> PutAsync(ReplicaResource resource, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes several resources, each as <see cref="PutAsync"/> does (unless a newer version is stored); a store may
    /// write them in one transaction. Answers how many were written.
    /// </summary>
    async Task<int> PutManyAsync(IReadOnlyList<ReplicaResource> resources, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        var written = 0;
        foreach (var resource in resources)
        {
            written += await PutAsync(resource, cancellationToken).ConfigureAwait(false) ? 1 : 0;
        }

        return written;
    }

    /// <summary>Gets several resources as <see cref="GetAsync"/> does: one answer per key, in order, null where the replica never saw it.</summary>
    async Task<IReadOnlyList<ReplicaResource?>> GetManyAsync(IReadOnlyList<ReplicaKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var found = new ReplicaResource?[keys.Count];
        for (var i = 0; i < keys.Count; i++)
        {
            found[i] = await GetAsync(keys[i].ResourceType, keys[i].ResourceId, cancellationToken).ConfigureAwait(false);
        }

        return found;
    }

    /// <summary>Gets one resource (tombstones included), or null when the replica never saw it.</summary>
    Task<ReplicaResource?> GetAsync(ResourceType resourceType, string resourceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets the resource with id <paramref name="resourceId"/> that has content (any type), or null: downloads are keyed
    /// by resource id alone, as the server's content endpoint is.
    /// </summary>
    Task<ReplicaResource?> FindContentAsync(string resourceId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Gets up to <paramref name="limit"/> resources of <paramref name="resourceType"/> (tombstones included) with ids
    /// after <paramref name="afterResourceId"/> in ordinal order (null: from the start), for keyset paging.
    /// </summary>
    Task<IReadOnlyList<ReplicaResource>> GetPageAsync(ResourceType resourceType, string? afterResourceId, int limit, CancellationToken cancellationToken = default);
}
