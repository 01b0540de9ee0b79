using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Collections;
using ReactiveSync.Conflicts;
using ReactiveSync.Model;

namespace ReactiveSync.Status;

/// <summary>
/// The conflicts parked for the user, as an observable cache keyed by conflict id (the DynamicData shape), kept in step
/// with <see cref="ConflictResolutionManager.PendingConflicts"/>: a conflict is added when parked and removed when
/// resolved with <see cref="SyncEngine.ResolveConflictAsync"/>. Conflicts parked before a restart are loaded at start.
/// </summary>
/// <remarks>Change sets are delivered on the thread that parked or resolved the conflict: do not block in them.</remarks>
public sealed class PendingConflictsView : IDisposable
{
    private readonly object _gate = new();
    private readonly SourceCache<SyncConflict, Guid> _cache = new(static c => c.Id);
    private readonly ILogger _logger;
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IDisposable? _subscription;
    private bool _disposed;

    private PendingConflictsView(ILogger logger)
    {
        _logger = logger;
    }

    /// <summary>How many conflicts wait.</summary>
    public int Count => _cache.Count;

    /// <summary>A snapshot of the conflicts, in no particular order.</summary>
    public IReadOnlyCollection<SyncConflict> Items => _cache.Items;

    /// <summary>The number of conflicts: the current count on subscribe, then each new count.</summary>
    public IObservable<int> CountChanged => _cache.CountChanged;

    /// <summary>Completes when the parked conflicts were first read from the store (also when that failed: it is logged).</summary>
    public Task Loaded => _loaded.Task;

    /// <summary>The conflicts as change sets: the current ones first, then each change. Completes when the engine is disposed.</summary>
    /// <param name="predicate">Keeps only the conflicts that satisfy it; null keeps all.</param>
    public IObservable<IChangeSet<SyncConflict, Guid>> Connect(Func<SyncConflict, bool>? predicate = null) =>
        _cache.Connect(predicate);

    /// <summary>Stops following the manager and completes every <see cref="Connect"/> subscriber. Safe to call twice.</summary>
    public void Dispose()
    {
        IDisposable? subscription;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            subscription = _subscription;
        }

        subscription?.Dispose();
        _cache.Dispose();
        _loaded.TrySetResult();
    }

    /// <summary>Builds the view over the manager's pending conflicts; the first list arrives once they are read from the store.</summary>
    internal static PendingConflictsView Start(ConflictResolutionManager manager, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(manager);
        var view = new PendingConflictsView(logger ?? NullLogger.Instance);
        var subscription = manager.PendingConflicts.Subscribe(view.OnList, view.OnError, () => view._loaded.TrySetResult());
        lock (view._gate)
        {
            if (!view._disposed)
            {
                view._subscription = subscription;
                return view;
            }
        }

        subscription.Dispose();
        return view;
    }

    private void OnList(IReadOnlyList<SyncConflict> conflicts)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            var ids = conflicts.Select(static c => c.Id).ToHashSet();
            var gone = _cache.Keys.Where(id => !ids.Contains(id)).ToList();
            _cache.Edit(updater =>
            {
                foreach (var conflict in conflicts)
                {
                    var held = updater.Lookup(conflict.Id);
                    if (!held.HasValue || !Equals(held.Value, conflict))
                    {
                        updater.AddOrUpdate(conflict);
                    }
                }

                updater.Remove(gone);
            });
        }

        _loaded.TrySetResult();
    }

    private void OnError(Exception error)
    {
        _logger.LogError(error, "The pending conflicts could not be read; the view stops updating.");
        _loaded.TrySetResult();
    }
}
