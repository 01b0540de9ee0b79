using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Collections;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Status;

/// <summary>
/// The queue's operations that need attention or are on their way: <see cref="OperationState.Failed"/>,
/// <see cref="OperationState.Conflict"/> and <see cref="OperationState.InFlight"/>, as an observable cache keyed by
/// operation id (the DynamicData shape). Pending operations are not held: the queue may hold millions of them.
/// </summary>
/// <remarks>
/// <para>Loaded from the store in pages when the engine starts and kept current from the queue's committed changes, one
/// change set per commit;
/// a change that arrives while loading wins over the page read for the same operation. Bind it for a UI with
/// <c>view.Connect().Sort(comparer).ObserveOn(uiScheduler).Bind(out var items).Subscribe()</c>.</para>
/// <para>Change sets are delivered on the queue's writer (or the loading thread): do not block in them.</para>
/// </remarks>
public sealed class ProblemOperationsView : IDisposable
{
    /// <summary>Operations read from the store per page while loading.</summary>
    internal const int PageSize = 500;

    // A state paged over several pages is read again when operations left it meanwhile (offsets shifted); this many times at most.
    private const int MaxPasses = 5;

    private static readonly OperationState[] ProblemStates = [OperationState.Failed, OperationState.Conflict, OperationState.InFlight];

    private readonly object _gate = new();
    private readonly SourceCache<OfflineOperation, Guid> _cache = new(static op => op.Id);
    private readonly OperationQueue _queue;
    private readonly ILogger _logger;
    private readonly IDisposable _subscription;
    private readonly CancellationTokenSource _disposeCts = new();

    // Guarded by _gate. While loading: ids a change touched (their change is newer than any page), how many operations
    // left each state (page offsets shifted), and how many times the queue was cleared (pages read before are stale).
    private HashSet<Guid>? _touched = [];
    private readonly Dictionary<OperationState, int> _leftState = [];
    private int _clears;
    private bool _disposed;

    private ProblemOperationsView(OperationQueue queue, ILogger logger)
    {
        _queue = queue;
        _logger = logger;
        _subscription = queue.ChangeBatches.Subscribe(OnChanges, ex => _logger.LogError(ex, "The queue's change stream failed; the problem operations view stops updating."));
        Loaded = LoadAsync(_disposeCts.Token);
    }

    /// <summary>How many operations the view holds.</summary>
    public int Count => _cache.Count;

    /// <summary>A snapshot of the operations, in no particular order.</summary>
    public IReadOnlyCollection<OfflineOperation> Items => _cache.Items;

    /// <summary>The number of operations: the current count on subscribe, then each new count.</summary>
    public IObservable<int> CountChanged => _cache.CountChanged;

    /// <summary>Completes when the initial load from the store is done (also when it failed: that is logged).</summary>
    public Task Loaded { get; }

    /// <summary>
    /// The operations as change sets: the current ones first, then each change. Completes when the engine is disposed.
    /// </summary>
    /// <param name="predicate">Keeps only the operations that satisfy it (e.g. only Failed); null keeps all.</param>
    public IObservable<IChangeSet<OfflineOperation, Guid>> Connect(Func<OfflineOperation, bool>? predicate = null) =>
        _cache.Connect(predicate);

    /// <summary>Stops following the queue and completes every <see cref="Connect"/> subscriber. Safe to call twice.</summary>
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

        _subscription.Dispose();
        _disposeCts.Cancel();
        _cache.Dispose();
        _disposeCts.Dispose();
    }

    /// <summary>Builds the view: subscribes to the queue's changes first, then loads the store in the background.</summary>
    internal static ProblemOperationsView Start(OperationQueue queue, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(queue);
        return new ProblemOperationsView(queue, logger ?? NullLogger.Instance);
    }

    private static bool IsProblem(OperationState state) => state is OperationState.Failed or OperationState.Conflict or OperationState.InFlight;

    /// <summary>Applies one commit's changes as one edit: a drained batch is one change set, not one per operation.</summary>
    private void OnChanges(IReadOnlyList<OperationChange> changes)
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _cache.Edit(updater =>
            {
                foreach (var change in changes)
                {
                    Apply(updater, change);
                }
            });
        }
    }

    private void Apply(ISourceUpdater<OfflineOperation, Guid> updater, OperationChange change)
    {
        if (change.Kind == OperationChangeKind.Cleared)
        {
            _clears++;
            updater.Clear();
            return;
        }

        var op = change.Operation!;
        _touched?.Add(op.Id);
        var held = updater.Lookup(op.Id);
        var stays = change.Kind != OperationChangeKind.Removed && IsProblem(op.State);
        if (_touched is not null && held.HasValue && (!stays || held.Value.State != op.State))
        {
            _leftState[held.Value.State] = _leftState.GetValueOrDefault(held.Value.State) + 1;
        }

        if (stays)
        {
            updater.AddOrUpdate(op);
        }
        else if (held.HasValue)
        {
            updater.Remove(op.Id);
        }
    }

    private async Task LoadAsync(CancellationToken cancellationToken)
    {
        // Off the caller's thread: the engine's start does not wait for the pages.
        await Task.Yield();
        try
        {
            while (!await TryLoadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                // The queue was cleared while loading: what was read may be stale; read again.
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException && cancellationToken.IsCancellationRequested)
        {
            // Disposed while loading.
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Loading the operations that need attention failed; the view shows only changes from now on.");
        }
        finally
        {
            lock (_gate)
            {
                _touched = null;
                _leftState.Clear();
            }
        }
    }

    /// <summary>Loads every problem state; answers false when the queue was cleared meanwhile.</summary>
    private async Task<bool> TryLoadAllAsync(CancellationToken cancellationToken)
    {
        int clears;
        lock (_gate)
        {
            clears = _clears;
        }

        foreach (var state in ProblemStates)
        {
            for (var pass = 1; ; pass++)
            {
                int leftBefore;
                lock (_gate)
                {
                    leftBefore = _leftState.GetValueOrDefault(state);
                }

                var pages = 0;
                var offset = 0;
                while (true)
                {
                    var page = await _queue.GetOperationsAsync(state, offset, PageSize, cancellationToken).ConfigureAwait(false);
                    pages++;
                    lock (_gate)
                    {
                        if (_disposed)
                        {
                            return true;
                        }

                        if (_clears != clears)
                        {
                            return false;
                        }

                        var fresh = page.Where(op => !_touched!.Contains(op.Id) && !_cache.Lookup(op.Id).HasValue).ToList();
                        if (fresh.Count > 0)
                        {
                            _cache.AddOrUpdate(fresh);
                        }
                    }

                    offset += page.Count;
                    if (page.Count < PageSize)
                    {
                        break;
                    }
                }

                bool shifted;
                lock (_gate)
                {
                    // A single page saw the whole state at once; with several, an operation leaving the state may have
                    // moved one we had not read yet into a page already read.
                    shifted = pages > 1 && _leftState.GetValueOrDefault(state) != leftBefore;
                }

                if (!shifted)
                {
                    break;
                }

                if (pass == MaxPasses)
                {
                    _logger.LogWarning(
                        "The queue kept changing while loading {State} operations; after {Passes} passes some may be missing from the view until they change.",
                        state,
                        MaxPasses);
                    break;
                }
            }
        }

        return true;
    }
}
