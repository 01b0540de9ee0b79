using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// An <see cref="IOperationStore"/> in memory, for tests and apps that keep nothing across restarts. Thread-safe;
/// keeps the same indexes as the SQLite store (by state and priority, by resource, by dependency) so reads stay bounded.
/// Disposing it keeps its contents, so a test can reopen a queue over it to simulate a restart.
/// </summary>
public sealed class InMemoryOperationStore : IOperationStore
{
    private readonly object _gate = new();
    private readonly Dictionary<Guid, OfflineOperation> _byId = new();
    private readonly Dictionary<(OperationState, SyncPriority), SortedDictionary<long, Guid>> _byStatePriority = new();
    private readonly Dictionary<(ResourceType, string), SortedDictionary<long, Guid>> _byResource = new();
    private readonly Dictionary<Guid, HashSet<Guid>> _dependents = new();
    private long _lastSequence;

    /// <inheritdoc/>
    public Task OpenAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var tx = new Transaction(this);
            try
            {
                var result = work(tx);
                tx.Commit();
                return Task.FromResult(result);
            }
            catch
            {
                tx.Rollback();
                throw;
            }
        }
    }

    /// <inheritdoc/>
    public Task<OfflineOperation?> GetAsync(Guid operationId, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(_byId.TryGetValue(operationId, out var op) ? Copy(op) : null);
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<OfflineOperation>> GetByStateAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<OfflineOperation> page = StateSequences(state).Skip(offset).Take(limit).Select(id => Copy(_byId[id])).ToList();
            return Task.FromResult(page);
        }
    }

    /// <inheritdoc/>
    public Task<DateTimeOffset?> GetNextScheduledAfterAsync(DateTimeOffset after, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var next = _byId.Values
                .Where(op => op.State == OperationState.Pending && op.ScheduledAt > after)
                .Select(op => (DateTimeOffset?)op.ScheduledAt)
                .Min();
            return Task.FromResult(next);
        }
    }

    /// <inheritdoc/>
    public Task<DateTimeOffset?> GetOldestPendingCreatedAtAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            return Task.FromResult(OldestPendingCreatedAt());
        }
    }

    /// <inheritdoc/>
    public Task<IReadOnlyList<OperationCount>> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<OperationCount> counts = _byId.Values
                .GroupBy(op => (op.State, op.Priority, op.ResourceType))
                .Select(g => new OperationCount(g.Key.State, g.Key.Priority, g.Key.ResourceType, g.Count()))
                .ToList();
            return Task.FromResult(counts);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    // Callers may mutate the JSON they passed or got; the store keeps its own copies, as a database would.
    private static OfflineOperation Copy(OfflineOperation op) =>
        op with { Data = op.Data?.DeepClone(), BaseData = op.BaseData?.DeepClone(), DependsOn = op.DependsOn.ToArray() };

    private IEnumerable<Guid> StateSequences(OperationState state) =>
        Enum.GetValues<SyncPriority>()
            .Reverse()
            .SelectMany(p => _byStatePriority.TryGetValue((state, p), out var index) ? (IEnumerable<Guid>)index.Values : []);

    private DateTimeOffset? OldestPendingCreatedAt()
    {
        OfflineOperation? oldest = null;
        foreach (var priority in Enum.GetValues<SyncPriority>())
        {
            if (_byStatePriority.TryGetValue((OperationState.Pending, priority), out var index) && index.Count > 0)
            {
                var first = _byId[index.First().Value];
                if (oldest is null || first.Sequence < oldest.Sequence)
                {
                    oldest = first;
                }
            }
        }

        return oldest?.CreatedAt;
    }

    private void Add(OfflineOperation op)
    {
        _byId.Add(op.Id, op);
        Index(_byStatePriority, (op.State, op.Priority)).Add(op.Sequence, op.Id);
        Index(_byResource, (op.ResourceType, op.ResourceId)).Add(op.Sequence, op.Id);
        foreach (var dependency in op.DependsOn)
        {
            if (!_dependents.TryGetValue(dependency, out var set))
            {
                _dependents[dependency] = set = [];
            }

            set.Add(op.Id);
        }
    }

    private void Remove(OfflineOperation op)
    {
        _byId.Remove(op.Id);
        Unindex(_byStatePriority, (op.State, op.Priority), op.Sequence);
        Unindex(_byResource, (op.ResourceType, op.ResourceId), op.Sequence);
        foreach (var dependency in op.DependsOn)
        {
            if (_dependents.TryGetValue(dependency, out var set) && set.Remove(op.Id) && set.Count == 0)
            {
                _dependents.Remove(dependency);
            }
        }
    }

    private static SortedDictionary<long, Guid> Index<TKey>(Dictionary<TKey, SortedDictionary<long, Guid>> indexes, TKey key)
        where TKey : notnull
    {
        if (!indexes.TryGetValue(key, out var index))
        {
            indexes[key] = index = new SortedDictionary<long, Guid>();
        }

        return index;
    }

    private static void Unindex<TKey>(Dictionary<TKey, SortedDictionary<long, Guid>> indexes, TKey key, long sequence)
        where TKey : notnull
    {
        if (indexes.TryGetValue(key, out var index) && index.Remove(sequence) && index.Count == 0)
        {
            indexes.Remove(key);
        }
    }

    /// <summary>Writes apply in place under the store's lock; an undo log restores the state on rollback.</summary>
    private sealed class Transaction(InMemoryOperationStore store) : IOperationStoreTransaction
    {
        private readonly List<Action> _undo = [];
        private int? _savepoint;

        public long NextSequence()
        {
            // Sequences are never reused, even after a rollback, so no undo entry.
            return ++store._lastSequence;
        }

        public OfflineOperation? Get(Guid operationId) => store._byId.TryGetValue(operationId, out var op) ? Copy(op) : null;

        public bool Exists(Guid operationId) => store._byId.ContainsKey(operationId);

        public OfflineOperation? GetLastOnResource(ResourceType resourceType, string resourceId) =>
            store._byResource.TryGetValue((resourceType, resourceId), out var index) && index.Count > 0
                ? Copy(store._byId[index.Last().Value])
                : null;

        public bool HasEarlierOnResource(ResourceType resourceType, string resourceId, long sequence) =>
            store._byResource.TryGetValue((resourceType, resourceId), out var index) && index.Count > 0 && index.First().Key < sequence;

        public bool HasDependents(Guid operationId) => store._dependents.ContainsKey(operationId);

        public IReadOnlyList<OfflineOperation> GetPendingWindow(SyncPriority priority, long afterSequence, int limit) =>
            store._byStatePriority.TryGetValue((OperationState.Pending, priority), out var index)
                ? index.SkipWhile(pair => pair.Key <= afterSequence).Take(limit).Select(pair => Copy(store._byId[pair.Value])).ToList()
                : [];

        public IReadOnlyList<OfflineOperation> GetByState(OperationState state, int limit) =>
            store.StateSequences(state).Take(limit).Select(id => Copy(store._byId[id])).ToList();

        public DateTimeOffset? GetOldestPendingCreatedAt() => store.OldestPendingCreatedAt();

        public void Insert(OfflineOperation operation)
        {
            ArgumentNullException.ThrowIfNull(operation);
            if (store._byId.ContainsKey(operation.Id))
            {
                throw new InvalidOperationException($"Operation {operation.Id} is already stored.");
            }

            var copy = Copy(operation);
            store.Add(copy);
            _undo.Add(() => store.Remove(copy));
        }

        public void Update(OfflineOperation previous, OfflineOperation updated)
        {
            ArgumentNullException.ThrowIfNull(previous);
            ArgumentNullException.ThrowIfNull(updated);
            var operation = updated;
            if (previous.Id != updated.Id || !store._byId.TryGetValue(operation.Id, out var old))
            {
                throw new InvalidOperationException($"Operation {operation.Id} is not stored.");
            }

            var copy = Copy(operation);
            store.Remove(old);
            store.Add(copy);
            _undo.Add(() =>
            {
                store.Remove(copy);
                store.Add(old);
            });
        }

        public bool Delete(Guid operationId)
        {
            if (!store._byId.TryGetValue(operationId, out var old))
            {
                return false;
            }

            store.Remove(old);
            _undo.Add(() => store.Add(old));
            return true;
        }

        public int DeleteAll()
        {
            var all = store._byId.Values.ToList();
            foreach (var op in all)
            {
                store.Remove(op);
            }

            _undo.Add(() => all.ForEach(store.Add));
            return all.Count;
        }

        public void CreateSavepoint()
        {
            if (_savepoint is not null)
            {
                throw new InvalidOperationException("Savepoints do not nest.");
            }

            _savepoint = _undo.Count;
        }

        public void ReleaseSavepoint() => _savepoint = null;

        public void RollbackToSavepoint()
        {
            var to = _savepoint ?? throw new InvalidOperationException("No savepoint.");
            UndoTo(to);
            _savepoint = null;
        }

        public void Commit() => _undo.Clear();

        public void Rollback() => UndoTo(0);

        private void UndoTo(int count)
        {
            for (var i = _undo.Count - 1; i >= count; i--)
            {
                _undo[i]();
            }

            _undo.RemoveRange(count, _undo.Count - count);
        }
    }
}
