using System.Buffers;
using System.Reactive.Subjects;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Pull;

/// <summary>An <see cref="IReplicaStore"/> in memory, for tests and apps that keep no replica across restarts. Thread-safe.</summary>
/// <remarks>
/// Data is held as UTF-8 JSON, one array per resource, not as a tree of nodes: a replica of many resources is few
/// objects for the garbage collector to trace. Each read answers a new node, so a caller changing it changes nothing here.
/// </remarks>
public sealed class InMemoryReplicaStore : IReplicaStore, IDisposable
{
    private readonly Lock _gate = new();
    private readonly Lock _emitGate = new();
    private readonly Dictionary<ResourceType, Rows> _byType = [];
    private readonly Subject<IReadOnlyList<ReplicaKey>> _changed = new();
    private readonly ArrayBufferWriter<byte> _buffer = new(1024);
    private readonly Utf8JsonWriter _writer;
    private long? _checkpoint;

    /// <summary>Creates an empty replica.</summary>
    public InMemoryReplicaStore() => _writer = new Utf8JsonWriter(_buffer);

    /// <inheritdoc/>
    public IObservable<IReadOnlyList<ReplicaKey>> Changed => _changed;

    /// <summary>How many resources are held (tombstones included).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _byType.Values.Sum(static t => t.ById.Count);
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
            return Task.FromResult(Find(resourceType, resourceId));
        }
    }

    /// <inheritdoc/>
    /// <remarks>Under one lock, instead of one call per key.</remarks>
    public Task<IReadOnlyList<ReplicaResource?>> GetManyAsync(IReadOnlyList<ReplicaKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        cancellationToken.ThrowIfCancellationRequested();
        var found = new ReplicaResource?[keys.Count];
        lock (_gate)
        {
            for (var i = 0; i < keys.Count; i++)
            {
                found[i] = Find(keys[i].ResourceType, keys[i].ResourceId);
            }
        }

        return Task.FromResult<IReadOnlyList<ReplicaResource?>>(found);
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
                if (rows.ById.TryGetValue(resourceId, out var row) && row.Resource.ContentUrl is not null)
                {
                    return Task.FromResult<ReplicaResource?>(row.ToResource());
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
            if (!_byType.TryGetValue(resourceType, out var rows) || rows.Ids.Count == 0
                || (afterResourceId is not null && string.CompareOrdinal(afterResourceId, rows.Ids.Max) >= 0))
            {
                return Task.FromResult<IReadOnlyList<ReplicaResource>>([]);
            }

            // A view from the key on: the tree is walked from there, not from the first id.
            var ids = afterResourceId is null ? rows.Ids : rows.Ids.GetViewBetween(afterResourceId, rows.Ids.Max!);
            var page = new List<ReplicaResource>(Math.Min(limit, rows.ById.Count));
            foreach (var id in ids)
            {
                if (page.Count == limit)
                {
                    break;
                }

                if (!string.Equals(id, afterResourceId, StringComparison.Ordinal))
                {
                    page.Add(rows.ById[id].ToResource());
                }
            }

            return Task.FromResult<IReadOnlyList<ReplicaResource>>(page);
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

    private ReplicaResource? Find(ResourceType resourceType, string resourceId) =>
        _byType.TryGetValue(resourceType, out var rows) && rows.ById.TryGetValue(resourceId, out var row) ? row.ToResource() : null;

    private bool Write(ReplicaResource resource)
    {
        if (!_byType.TryGetValue(resource.ResourceType, out var rows))
        {
            rows = new Rows();
            _byType[resource.ResourceType] = rows;
        }

        var exists = rows.ById.TryGetValue(resource.ResourceId, out var stored);
        if (exists && stored!.Resource.Version > resource.Version)
        {
            return false;
        }

        // Kept as bytes, so a caller mutating its node later cannot change the replica.
        rows.ById[resource.ResourceId] = new StoredRow(resource with { Data = null }, resource.Deleted || resource.Data is null ? null : Utf8(resource.Data));
        if (!exists)
        {
            rows.Ids.Add(resource.ResourceId);
        }

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

    /// <summary>The node as UTF-8 JSON; the caller holds <c>_gate</c>, which guards the reused buffer.</summary>
    private byte[] Utf8(JsonNode data)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset();
        data.WriteTo(_writer);
        _writer.Flush();
        return _buffer.WrittenSpan.ToArray();
    }

    /// <summary>A stored resource: its fields without the data, and the data as UTF-8 JSON (null when deleted or absent).</summary>
    private sealed record StoredRow(ReplicaResource Resource, byte[]? Data)
    {
        public ReplicaResource ToResource() => Data is null ? Resource : Resource with { Data = JsonNode.Parse(Data) };
    }

    /// <summary>The rows of one type: a hash map for lookups, and the ids in ordinal order for paging, touched only by a new id.</summary>
    private sealed class Rows
    {
        public Dictionary<string, StoredRow> ById { get; } = new(StringComparer.Ordinal);

        public SortedSet<string> Ids { get; } = new(StringComparer.Ordinal);
    }

    private void Emit(IReadOnlyList<ReplicaKey> written)
    {
        if (written.Count > 0 && !_changed.IsDisposed)
        {
            _changed.OnNext(written);
        }
    }
}
