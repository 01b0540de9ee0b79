using System.Reactive.Disposables;
using System.Reactive.Linq;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Collections;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Pull;

/// <summary>
/// What the app sees: the replica with every operation the server has not yet acknowledged (pending, in flight, failed
/// or in conflict) applied on top, in queue order. A pulled change never overwrites an unsent local edit: the edit is
/// applied over whatever the replica holds until the server acknowledges it. The engine exposes it as <c>Resources</c>.
/// </summary>
/// <remarks>
/// The queue is read in pages and never held whole, except for the operations of the type a <see cref="Connect"/> view
/// shows. Reads are consistent: a read that overlaps a queue change on the same resource is repeated.
/// </remarks>
public sealed class LocalResources
{
    private const int QueuePage = 500;
    private const int ReplicaPage = 1000;
    private static readonly OperationState[] UnacknowledgedStates =
        [OperationState.InFlight, OperationState.Pending, OperationState.Failed, OperationState.Conflict];

    private readonly IReplicaStore _replica;
    private readonly OperationQueue _queue;
    private readonly ILogger _logger;

    /// <summary>Creates the local view over <paramref name="replica"/> and <paramref name="queue"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public LocalResources(IReplicaStore replica, OperationQueue queue, ILogger<LocalResources>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(queue);
        _replica = replica;
        _queue = queue;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>Reads one resource as the app should see it; null when it is absent (never seen, or deleted on the server or locally).</summary>
    /// <exception cref="ArgumentException">The resource type is invalid or the id is empty.</exception>
    public async Task<LocalResource?> GetAsync(ResourceType resourceType, string resourceId, CancellationToken cancellationToken = default)
    {
        Validate(resourceType, resourceId);
        while (true)
        {
            var touched = 0;
            using (_queue.Changes.Subscribe(c =>
            {
                if (c.Operation is null || (c.Operation.ResourceType == resourceType && c.Operation.ResourceId == resourceId))
                {
                    Interlocked.Increment(ref touched);
                }
            }))
            {
                // The queue before the replica: an acknowledged push reaches the replica before it leaves the queue,
                // so this order can at worst apply an operation twice (harmless for these payloads), never miss it.
                var operations = await ReadOperationsAsync(o => o.ResourceType == resourceType && o.ResourceId == resourceId, cancellationToken).ConfigureAwait(false);
                var replica = await _replica.GetAsync(resourceType, resourceId, cancellationToken).ConfigureAwait(false);
                if (Volatile.Read(ref touched) == 0)
                {
                    return LocalViewFold.Fold(resourceType, resourceId, replica, operations);
                }
            }
        }
    }

    /// <summary>
    /// The base a new Update or Delete should carry: the replica's version and copy. Null when the replica never saw the
    /// resource (e.g. created locally and not yet acknowledged), in which case the operation goes without a base version.
    /// </summary>
    /// <exception cref="ArgumentException">The resource type is invalid or the id is empty.</exception>
    public async Task<ResourceBase?> GetBaseAsync(ResourceType resourceType, string resourceId, CancellationToken cancellationToken = default)
    {
        Validate(resourceType, resourceId);
        var replica = await _replica.GetAsync(resourceType, resourceId, cancellationToken).ConfigureAwait(false);
        return replica is null ? null : new ResourceBase(replica.Version, replica.Data?.DeepClone(), replica.Deleted);
    }

    /// <summary>
    /// A status view of the resources of <paramref name="resourceType"/>: first every resource as one change set of Adds
    /// (none when there are none), then a change set whenever the replica or the queue changes one of them (Add, Update
    /// with the new copy, Remove when it is deleted). Keyed by resource id.
    /// </summary>
    /// <remarks>
    /// Change sets are delivered one at a time from a background task, never from the caller's thread during Subscribe.
    /// A read that fails is logged and retried on the next change; the stream never errors. Disposing the subscription
    /// stops the view.
    /// </remarks>
    /// <exception cref="ArgumentException">The resource type is invalid.</exception>
    public IObservable<IChangeSet<LocalResource, string>> Connect(ResourceType resourceType)
    {
        if (!resourceType.IsValid)
        {
            throw new ArgumentException("A valid resource type is required.", nameof(resourceType));
        }

        return Observable.Create<IChangeSet<LocalResource, string>>(observer =>
        {
            var cache = new SourceCache<LocalResource, string>(static r => r.ResourceId);
            var view = new View(this, resourceType, cache);
            var subscription = cache.Connect().SubscribeSafe(observer);
            view.Start();
            return new CompositeDisposable(view, subscription, cache);
        });
    }

    private static void Validate(ResourceType resourceType, string resourceId)
    {
        if (!resourceType.IsValid)
        {
            throw new ArgumentException("A valid resource type is required.", nameof(resourceType));
        }

        ArgumentException.ThrowIfNullOrEmpty(resourceId);
    }

    /// <summary>Reads every unacknowledged operation that matches, in sequence order, page by page.</summary>
    private async Task<List<OfflineOperation>> ReadOperationsAsync(Func<OfflineOperation, bool> match, CancellationToken cancellationToken)
    {
        var found = new Dictionary<Guid, OfflineOperation>();
        foreach (var state in UnacknowledgedStates)
        {
            for (var offset = 0; ; offset += QueuePage)
            {
                var page = await _queue.GetOperationsAsync(state, offset, QueuePage, cancellationToken).ConfigureAwait(false);
                foreach (var operation in page)
                {
                    if (match(operation))
                    {
                        found[operation.Id] = operation;
                    }
                }

                if (page.Count < QueuePage)
                {
                    break;
                }
            }
        }

        var list = found.Values.ToList();
        list.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
        return list;
    }

    /// <summary>One live view: marks resources dirty on every change and refreshes them one batch at a time.</summary>
    private sealed class View : IDisposable
    {
        private readonly LocalResources _owner;
        private readonly ResourceType _type;
        private readonly SourceCache<LocalResource, string> _cache;
        private readonly CancellationTokenSource _stop = new();
        private readonly Lock _gate = new();
        private readonly HashSet<string> _dirty = new(StringComparer.Ordinal);
        private readonly CompositeDisposable _subscriptions = [];
        private bool _all;
        private bool _running;
        private bool _disposed;

        public View(LocalResources owner, ResourceType type, SourceCache<LocalResource, string> cache)
        {
            _owner = owner;
            _type = type;
            _cache = cache;
        }

        public void Start()
        {
            // Subscribe before the first load, so nothing that changes during it is missed.
            _subscriptions.Add(_owner._replica.Changed.Subscribe(keys =>
            {
                foreach (var key in keys)
                {
                    if (key.ResourceType == _type)
                    {
                        MarkDirty(key.ResourceId);
                    }
                }
            }));
            _subscriptions.Add(_owner._queue.Changes.Subscribe(change =>
            {
                if (change.Operation is null)
                {
                    MarkAllDirty();
                }
                else if (change.Operation.ResourceType == _type)
                {
                    MarkDirty(change.Operation.ResourceId);
                }
            }));
            MarkAllDirty();
        }

        public void Dispose()
        {
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
            }

            _subscriptions.Dispose();
            _stop.Cancel();
        }

        private void MarkDirty(string resourceId)
        {
            lock (_gate)
            {
                _dirty.Add(resourceId);
                StartPumpLocked();
            }
        }

        private void MarkAllDirty()
        {
            lock (_gate)
            {
                _all = true;
                StartPumpLocked();
            }
        }

        private void StartPumpLocked()
        {
            if (_running || _disposed)
            {
                return;
            }

            _running = true;
            _ = Task.Run(PumpAsync);
        }

        private async Task PumpAsync()
        {
            while (true)
            {
                bool all;
                List<string> keys;
                lock (_gate)
                {
                    if (_disposed || (!_all && _dirty.Count == 0))
                    {
                        _running = false;
                        return;
                    }

                    all = _all;
                    keys = [.. _dirty];
                    _all = false;
                    _dirty.Clear();
                }

                try
                {
                    if (all)
                    {
                        await RefreshAllAsync().ConfigureAwait(false);
                    }
                    else
                    {
                        await RefreshAsync(keys).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    lock (_gate)
                    {
                        _running = false;
                    }

                    return;
                }
                catch (ObjectDisposedException)
                {
                    lock (_gate)
                    {
                        _running = false;
                    }

                    return;
                }
#pragma warning disable CA1031 // A status view reports faults in the log and recovers on the next change; it never errors.
                catch (Exception ex)
#pragma warning restore CA1031
                {
                    _owner._logger.LogWarning(ex, "Refreshing the local view of {ResourceType} failed; it retries on the next change.", _type);
                    lock (_gate)
                    {
                        if (all)
                        {
                            _all = true;
                        }
                        else
                        {
                            _dirty.UnionWith(keys);
                        }

                        // Wait for the next change rather than spin on a failing store.
                        _running = false;
                        return;
                    }
                }
            }
        }

        private async Task RefreshAsync(List<string> keys)
        {
            // One pass over the queue for the whole batch; a change during the reads marks its resource dirty again.
            var type = _type;
            var wanted = new HashSet<string>(keys, StringComparer.Ordinal);
            var operations = await _owner.ReadOperationsAsync(o => o.ResourceType == type && wanted.Contains(o.ResourceId), _stop.Token).ConfigureAwait(false);
            var byId = operations.GroupBy(static o => o.ResourceId, StringComparer.Ordinal)
                .ToDictionary(static g => g.Key, static g => (IReadOnlyList<OfflineOperation>)g.ToList(), StringComparer.Ordinal);
            var fresh = new List<(string Id, LocalResource? Resource)>(keys.Count);
            foreach (var id in keys)
            {
                var row = await _owner._replica.GetAsync(type, id, _stop.Token).ConfigureAwait(false);
                fresh.Add((id, LocalViewFold.Fold(type, id, row, byId.TryGetValue(id, out var ops) ? ops : [])));
            }

            Apply(fresh, removeOthers: false);
        }

        private async Task RefreshAllAsync()
        {
            var type = _type;
            var operations = await _owner.ReadOperationsAsync(o => o.ResourceType == type, _stop.Token).ConfigureAwait(false);
            var byId = operations.GroupBy(static o => o.ResourceId, StringComparer.Ordinal)
                .ToDictionary(static g => g.Key, static g => (IReadOnlyList<OfflineOperation>)g.ToList(), StringComparer.Ordinal);
            var fresh = new List<(string Id, LocalResource? Resource)>();
            string? after = null;
            while (true)
            {
                var page = await _owner._replica.GetPageAsync(type, after, ReplicaPage, _stop.Token).ConfigureAwait(false);
                foreach (var row in page)
                {
                    var ops = byId.Remove(row.ResourceId, out var list) ? list : [];
                    fresh.Add((row.ResourceId, LocalViewFold.Fold(type, row.ResourceId, row, ops)));
                }

                if (page.Count < ReplicaPage)
                {
                    break;
                }

                after = page[^1].ResourceId;
            }

            foreach (var (id, ops) in byId)
            {
                fresh.Add((id, LocalViewFold.Fold(type, id, null, ops)));
            }

            Apply(fresh, removeOthers: true);
        }

        private void Apply(List<(string Id, LocalResource? Resource)> fresh, bool removeOthers)
        {
            _stop.Token.ThrowIfCancellationRequested();

            // Only this pump edits the cache, so its keys cannot change before the edit below.
            var before = removeOthers ? _cache.Keys : [];
            _cache.Edit(updater =>
            {
                HashSet<string>? seen = removeOthers ? new(StringComparer.Ordinal) : null;
                foreach (var (id, resource) in fresh)
                {
                    seen?.Add(id);
                    var existing = updater.Lookup(id);
                    if (resource is null)
                    {
                        if (existing.HasValue)
                        {
                            updater.Remove(id);
                        }
                    }
                    else if (!existing.HasValue || !LocalViewFold.SameAs(existing.Value, resource))
                    {
                        updater.AddOrUpdate(resource);
                    }
                }

                if (seen is not null)
                {
                    updater.Remove(before.Where(k => !seen.Contains(k)).ToList());
                }
            });
        }
    }
}
