using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace ReactiveSync.Collections;

/// <summary>A thread-safe keyed collection that publishes its changes as change sets, shaped like DynamicData's <c>SourceCache</c>.</summary>
/// <remarks>
/// <para>Each <see cref="Edit"/> publishes exactly one change set (none when it changed nothing). Edits from many threads are
/// serialized; change sets are delivered outside the cache's lock, one call at a time across all subscribers, by whichever
/// thread is delivering when they are queued (usually the editing thread itself, before <see cref="Edit"/> returns).</para>
/// <para>A subscriber of <see cref="Connect"/> sees the contents at the moment it subscribed, then exactly the change sets of
/// the edits made after that moment: nothing missed, nothing twice, even while other threads edit.</para>
/// </remarks>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
public sealed class SourceCache<TObject, TKey> : IDisposable
    where TKey : notnull
{
    private readonly object _gate = new();
    private readonly Func<TObject, TKey> _keySelector;
    private readonly Dictionary<TKey, TObject> _data = [];

    // Change sets, new subscribers and the completion wait here in edit order; one thread at a time drains the queue.
    private readonly Queue<Delivery> _pending = new();
    private Subscription[] _subscribers = [];
    private bool _delivering;
    private bool _editing;
    private bool _disposed;

    /// <summary>Creates an empty cache that keys each item with <paramref name="keySelector"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="keySelector"/> is null.</exception>
    public SourceCache(Func<TObject, TKey> keySelector)
    {
        ArgumentNullException.ThrowIfNull(keySelector);
        _keySelector = keySelector;
        CountChanged = Connect(suppressEmptyChangeSets: false)
            .Scan(0, static (count, changes) => count + changes.Adds - changes.Removes)
            .DistinctUntilChanged();
    }

    /// <summary>The number of items.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _data.Count;
            }
        }
    }

    /// <summary>A snapshot of the items, in no particular order.</summary>
    public IReadOnlyCollection<TObject> Items
    {
        get
        {
            lock (_gate)
            {
                return _data.Values.ToArray();
            }
        }
    }

    /// <summary>A snapshot of the keys, in no particular order.</summary>
    public IReadOnlyCollection<TKey> Keys
    {
        get
        {
            lock (_gate)
            {
                return _data.Keys.ToArray();
            }
        }
    }

    /// <summary>The number of items: the current count on subscribe, then each new count, skipping repeats.</summary>
    /// <remarks>Completes when the cache is disposed.</remarks>
    public IObservable<int> CountChanged { get; }

    /// <summary>The item held for <paramref name="key"/>, or an empty optional.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public Optional<TObject> Lookup(TKey key)
    {
        ThrowIfNull(key, nameof(key));
        lock (_gate)
        {
            return _data.TryGetValue(key, out var item) ? Optional<TObject>.Some(item) : Optional<TObject>.None;
        }
    }

    /// <summary>Applies several changes atomically and publishes them as one change set.</summary>
    /// <remarks>
    /// Nothing is published when the edit changed nothing. If <paramref name="updateAction"/> throws, the edit is undone,
    /// nothing is published and the exception propagates. The action runs under the cache's lock: keep it short, and do not
    /// edit or subscribe to this cache from inside it.
    /// </remarks>
    /// <exception cref="ArgumentNullException"><paramref name="updateAction"/> is null.</exception>
    /// <exception cref="ObjectDisposedException">The cache is disposed.</exception>
    /// <exception cref="InvalidOperationException">Called from inside another edit of this cache.</exception>
    public void Edit(Action<ISourceUpdater<TObject, TKey>> updateAction)
    {
        ArgumentNullException.ThrowIfNull(updateAction);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_editing)
            {
                throw new InvalidOperationException("A cache cannot be edited from inside one of its own edits.");
            }

            _editing = true;
            var updater = new Updater(this);
            try
            {
                updateAction(updater);
            }
            catch
            {
                updater.Undo();
                throw;
            }
            finally
            {
                updater.Close();
                _editing = false;
            }

            if (updater.Changes.Count > 0)
            {
                _pending.Enqueue(new Delivery(new ChangeSet<TObject, TKey>(updater.Changes.ToArray()), null));
            }
        }

        Deliver();
    }

    /// <summary>Adds or updates one item (an edit of its own).</summary>
    public void AddOrUpdate(TObject item) => Edit(updater => updater.AddOrUpdate(item));

    /// <summary>Adds or updates several items in one edit.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="items"/> is null.</exception>
    public void AddOrUpdate(IEnumerable<TObject> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        Edit(updater => updater.AddOrUpdate(items));
    }

    /// <summary>Removes the item held for <paramref name="key"/> (an edit of its own; nothing is published when absent).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public void Remove(TKey key)
    {
        ThrowIfNull(key, nameof(key));
        Edit(updater => updater.Remove(key));
    }

    /// <summary>Removes several keys in one edit.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    public void Remove(IEnumerable<TKey> keys)
    {
        ArgumentNullException.ThrowIfNull(keys);
        Edit(updater => updater.Remove(keys));
    }

    /// <summary>Removes every item in one edit.</summary>
    public void Clear() => Edit(static updater => updater.Clear());

    /// <summary>Publishes a Refresh for the item held for <paramref name="key"/>, so operators re-evaluate it after it mutated.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public void Refresh(TKey key)
    {
        ThrowIfNull(key, nameof(key));
        Edit(updater => updater.Refresh(key));
    }

    /// <summary>Publishes a Refresh for every item in one edit.</summary>
    public void Refresh() => Edit(static updater => updater.Refresh());

    /// <summary>The contents as change sets: first the current items as one change set of Adds, then each edit's change set.</summary>
    /// <remarks>
    /// For an empty cache the first change set is empty and, with <paramref name="suppressEmptyChangeSets"/> (the default),
    /// not emitted. With a <paramref name="predicate"/> the stream is filtered as by
    /// <see cref="ObservableCacheEx.Filter{TObject, TKey}"/>. The first change set is delivered during Subscribe unless
    /// another thread is delivering at that moment, in which case that thread delivers it shortly after. Completes when the
    /// cache is disposed (at once for a subscriber that comes after that).
    /// </remarks>
    /// <param name="predicate">Keeps only the items that satisfy it; null keeps every item.</param>
    /// <param name="suppressEmptyChangeSets">Whether to skip change sets that end up empty.</param>
    public IObservable<IChangeSet<TObject, TKey>> Connect(Func<TObject, bool>? predicate = null, bool suppressEmptyChangeSets = true)
    {
        var changes = Observable.Create<IChangeSet<TObject, TKey>>(Subscribe);
        if (predicate is not null)
        {
            return changes.Filter(predicate, suppressEmptyChangeSets);
        }

        return suppressEmptyChangeSets ? changes.Where(static c => c.Count > 0) : changes;
    }

    /// <summary>The changes of one key: its current item as an Add first if present, then each Update, Remove, Refresh or re-Add.</summary>
    /// <remarks>Completes when the cache is disposed.</remarks>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public IObservable<Change<TObject, TKey>> Watch(TKey key)
    {
        ThrowIfNull(key, nameof(key));
        return Connect().SelectMany(changes => changes.Where(change => EqualityComparer<TKey>.Default.Equals(change.Key, key)));
    }

    /// <summary>Completes every subscriber; later edits throw <see cref="ObjectDisposedException"/>. Safe to call twice.</summary>
    /// <remarks>Reading (<see cref="Items"/>, <see cref="Lookup"/>) still works after disposal.</remarks>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _pending.Enqueue(new Delivery(null, null));
        }

        Deliver();
    }

    private IDisposable Subscribe(IObserver<IChangeSet<TObject, TKey>> observer)
    {
        Subscription subscription;
        lock (_gate)
        {
            if (_editing)
            {
                // The snapshot would hold half an edit that the edit's change set then repeats.
                throw new InvalidOperationException("A cache cannot be subscribed to from inside one of its own edits.");
            }

            if (_disposed)
            {
                subscription = null!;
            }
            else
            {
                subscription = new Subscription(this, observer);

                // Snapshot and enqueue under the same lock as edits: the edits queued before it are in the snapshot,
                // the ones queued after it are delivered to this subscriber after the snapshot.
                var snapshot = new Change<TObject, TKey>[_data.Count];
                var i = 0;
                foreach (var (key, item) in _data)
                {
                    snapshot[i++] = new Change<TObject, TKey>(ChangeReason.Add, key, item);
                }

                _pending.Enqueue(new Delivery(new ChangeSet<TObject, TKey>(snapshot), subscription));
            }
        }

        if (subscription is null)
        {
            observer.OnCompleted();
            return Disposable.Empty;
        }

        Deliver();
        return subscription;
    }

    private void Deliver()
    {
        // A thread inside an edit (Dispose called from the edit action) delivers after it leaves the lock.
        if (Monitor.IsEntered(_gate))
        {
            return;
        }

        lock (_gate)
        {
            if (_delivering || _pending.Count == 0)
            {
                return;
            }

            _delivering = true;
        }

        var drained = false;
        try
        {
            while (true)
            {
                Delivery next;
                Subscription[] targets;
                lock (_gate)
                {
                    if (!_pending.TryDequeue(out next))
                    {
                        _delivering = false;
                        drained = true;
                        return;
                    }

                    if (next.NewSubscriber is { } subscriber)
                    {
                        if (subscriber.IsDisposed)
                        {
                            continue;
                        }

                        _subscribers = [.. _subscribers, subscriber];
                        targets = [subscriber];
                    }
                    else
                    {
                        targets = _subscribers;
                        if (next.Changes is null)
                        {
                            _subscribers = [];
                        }
                    }
                }

                foreach (var target in targets)
                {
                    if (next.Changes is null)
                    {
                        target.OnCompleted();
                    }
                    else
                    {
                        target.OnNext(next.Changes);
                    }
                }
            }
        }
        finally
        {
            // An observer threw: give up delivering so the next edit or subscriber can take over.
            if (!drained)
            {
                lock (_gate)
                {
                    _delivering = false;
                }
            }
        }
    }

    private void Unsubscribe(Subscription subscription)
    {
        lock (_gate)
        {
            subscription.IsDisposed = true;
            _subscribers = Array.FindAll(_subscribers, s => !ReferenceEquals(s, subscription));
        }
    }

    private static void ThrowIfNull(TKey key, string name)
    {
        if (key is null)
        {
            throw new ArgumentNullException(name);
        }
    }

    // Changes set to deliver to all subscribers; or a new subscriber with its snapshot; or (both null) completion.
    private readonly record struct Delivery(ChangeSet<TObject, TKey>? Changes, Subscription? NewSubscriber);

    private sealed class Subscription(SourceCache<TObject, TKey> cache, IObserver<IChangeSet<TObject, TKey>> observer) : IDisposable
    {
        // Written under the cache's lock; read without it only to skip calls after disposal.
        public volatile bool IsDisposed;

        public void OnNext(IChangeSet<TObject, TKey> changes)
        {
            if (!IsDisposed)
            {
                observer.OnNext(changes);
            }
        }

        public void OnCompleted()
        {
            if (!IsDisposed)
            {
                IsDisposed = true;
                observer.OnCompleted();
            }
        }

        public void Dispose()
        {
            if (!IsDisposed)
            {
                cache.Unsubscribe(this);
            }
        }
    }

    private sealed class Updater(SourceCache<TObject, TKey> cache) : ISourceUpdater<TObject, TKey>
    {
        private bool _closed;

        public List<Change<TObject, TKey>> Changes { get; } = [];

        private Dictionary<TKey, TObject> Data
        {
            get
            {
                if (_closed)
                {
                    throw new InvalidOperationException("The updater can only be used inside the edit action it was passed to.");
                }

                return cache._data;
            }
        }

        public void AddOrUpdate(TObject item)
        {
            var data = Data;
            var key = cache._keySelector(item);
            ThrowIfNull(key, "key");
            if (data.TryGetValue(key, out var previous))
            {
                data[key] = item;
                Changes.Add(new Change<TObject, TKey>(ChangeReason.Update, key, item, Optional<TObject>.Some(previous)));
            }
            else
            {
                data.Add(key, item);
                Changes.Add(new Change<TObject, TKey>(ChangeReason.Add, key, item));
            }
        }

        public void AddOrUpdate(IEnumerable<TObject> items)
        {
            ArgumentNullException.ThrowIfNull(items);
            foreach (var item in items)
            {
                AddOrUpdate(item);
            }
        }

        public void Remove(TKey key)
        {
            ThrowIfNull(key, nameof(key));
            if (Data.Remove(key, out var removed))
            {
                Changes.Add(new Change<TObject, TKey>(ChangeReason.Remove, key, removed));
            }
        }

        public void Remove(IEnumerable<TKey> keys)
        {
            ArgumentNullException.ThrowIfNull(keys);
            foreach (var key in keys)
            {
                Remove(key);
            }
        }

        public void RemoveItem(TObject item)
        {
            _ = Data;
            Remove(cache._keySelector(item));
        }

        public void Clear()
        {
            var data = Data;
            foreach (var (key, item) in data)
            {
                Changes.Add(new Change<TObject, TKey>(ChangeReason.Remove, key, item));
            }

            data.Clear();
        }

        public void Refresh(TKey key)
        {
            ThrowIfNull(key, nameof(key));
            if (Data.TryGetValue(key, out var item))
            {
                Changes.Add(new Change<TObject, TKey>(ChangeReason.Refresh, key, item));
            }
        }

        public void Refresh()
        {
            foreach (var (key, item) in Data)
            {
                Changes.Add(new Change<TObject, TKey>(ChangeReason.Refresh, key, item));
            }
        }

        public Optional<TObject> Lookup(TKey key)
        {
            ThrowIfNull(key, nameof(key));
            return Data.TryGetValue(key, out var item) ? Optional<TObject>.Some(item) : Optional<TObject>.None;
        }

        public void Undo()
        {
            var data = cache._data;
            for (var i = Changes.Count - 1; i >= 0; i--)
            {
                var change = Changes[i];
                switch (change.Reason)
                {
                    case ChangeReason.Add: data.Remove(change.Key); break;
                    case ChangeReason.Update: data[change.Key] = change.Previous.Value; break;
                    case ChangeReason.Remove: data[change.Key] = change.Current; break;
                }
            }

            Changes.Clear();
        }

        public void Close() => _closed = true;
    }
}
