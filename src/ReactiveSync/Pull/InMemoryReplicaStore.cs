using System.Reactive.Subjects;
using ReactiveSync.Model;

namespace ReactiveSync.Pull;

/// <summary>An <see cref="IReplicaStore"/> in memory, for tests and apps that keep no replica across restarts. Thread-safe.</summary>
public sealed class InMemoryReplicaStore : IReplicaStore, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Lock _emitGate = new();
    private readonly Dictionary<ResourceType, SortedDictionary<string, ReplicaResource>> _byType = [];
    private readonly Subject<IReadOnlyList<ReplicaKey>> _changed = new();
    private long? _checkpoint;

    /// <inheritdoc/>
    public IObservable<IReadOnlyList<ReplicaKey>> Changed => _changed;

    /// <summary>How many resources are held (tombstones included).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byType.Values.Sum(static t => t.Count);
            }
        }
    }

    /// <inheritdoc/>
    public Task<long?> GetCheckpointAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_checkpoint);
        }
    }

    /// <inheritdoc/>
    public Task<int> ApplyPageAsync(IReadOnlyList<ReplicaResource> resources, long checkpoint, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resources);
        ArgumentOutOfRangeException.ThrowIfNegative(checkpoint);
        return Task.FromResult(WriteMany(resources, checkpoint, cancellationToken));
    }

    /// <inheritdoc/>
    public Task<bool> PutAsync(ReplicaResource resource, CancellationToken cancellationToken = default)
    {
        ReplicaArguments.Validate(resource, nameof(resource));
        cancellationToken.ThrowIfCancellationRequested();
        lock (_emitGate)
        {
            bool written;
            lock (_gate)
            {
                written = Write(resource);
            }

            if (written)
            {
                Emit([new ReplicaKey(resource.ResourceType, resource.ResourceId)]);
            }

            return Task.FromResult(written);
        }
    }

    /// <inheritdoc/>
    public Task<int> PutManyAsync(IReadOnlyList<ReplicaResource> resources, CancellationToken cancellationToken = default) =>
        Task.FromResult(WriteMany(resources, checkpoint: null, cancellationToken));

    /// <inheritdoc/>
    public Task<ReplicaResource?> GetAsync(ResourceType resourceType, string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_byType.TryGetValue(resourceType, out var rows) && rows.TryGetValue(resourceId, out var row) ? row : null);
        }
    }

    /// <inheritdoc/>
    public Task<ReplicaResource?> FindContentAsync(string resourceId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            foreach (var rows in _byType.Values)
            {
                if (rows.TryGetValue(resourceId, out var row) && row.ContentUrl is not null)
                {
                    return Task.FromResult<ReplicaResource?>(row);
                }
            }

            return Task.FromResult<ReplicaResource?>(null);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<ReplicaResource>> GetPageAsync(ResourceType resourceType, string? afterResourceId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!_byType.TryGetValue(resourceType, out var rows))
            {
                return Task.FromResult<IReadOnlyList<ReplicaResource>>([]);
            }

            IReadOnlyList<ReplicaResource> page = rows
                .Where(r => afterResourceId is null || string.CompareOrdinal(r.Key, afterResourceId) > 0)
                .Take(limit)
                .Select(static r => r.Value)
                .ToList();
            return Task.FromResult(page);
        }
    }

    /// <summary>Completes <see cref="Changed"/>.</summary>
    public void Dispose()
    {
        lock (_emitGate)
        {
            _changed.OnCompleted();
            _changed.Dispose();
        }
    }

    private bool Write(ReplicaResource resource)
    {
        if (!_byType.TryGetValue(resource.ResourceType, out var rows))
        {
            rows = new SortedDictionary<string, ReplicaResource>(StringComparer.Ordinal);
            _byType[resource.ResourceType] = rows;
        }

        if (rows.TryGetValue(resource.ResourceId, out var stored) && stored.Version > resource.Version)
        {
            return false;
        }

        // Copies the data so a caller mutating its node later cannot change the replica.
        rows[resource.ResourceId] = resource with { Data = resource.Deleted ? null : resource.Data?.DeepClone() };
        return true;
    }

    /// <summary>Writes the resources (and the checkpoint, when given) as one change, then emits what was written; answers how many were.</summary>
    private int WriteMany(IReadOnlyList<ReplicaResource> resources, long? checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(resources);
        foreach (var resource in resources)
        {
            ReplicaArguments.Validate(resource, nameof(resources));
        }

        cancellationToken.ThrowIfCancellationRequested();
        lock (_emitGate)
        {
            var written = new List<ReplicaKey>(resources.Count);
            lock (_gate)
            {
                foreach (var resource in resources)
                {
                    if (Write(resource))
                    {
                        written.Add(new ReplicaKey(resource.ResourceType, resource.ResourceId));
                    }
                }

                if (checkpoint is { } value)
                {
                    _checkpoint = value;
                }
            }

            Emit(written);
            return written.Count;
        }
    }

    private void Emit(IReadOnlyList<ReplicaKey> written)
    {
        if (written.Count > 0 && !_changed.IsDisposed)
        {
            _changed.OnNext(written);
        }
    }
}
