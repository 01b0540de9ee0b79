using System.Globalization;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Storage;

namespace ReactiveSync.Status;

/// <summary>
/// What the app shows about sync (the seed's <c>OfflineStatusMonitor</c>): the engine's <see cref="Status"/>, its one-line
/// <see cref="StatusMessage"/>, and <see cref="GetSyncMetrics"/>, counted from every sync and kept across restarts.
/// Built by the engine (<see cref="SyncEngine.StatusMonitor"/>).
/// </summary>
/// <remarks>
/// Metrics are stored as JSON in the engine's <see cref="IKeyValueStore"/> under <see cref="MetricsKey"/>: read when the
/// engine starts, written after each sync (newest value wins; a failed write is logged and the next sync writes again),
/// and flushed when the engine is disposed. With the default in-memory key-value store they last as long as the process.
/// </remarks>
public sealed class OfflineStatusMonitor : IAsyncDisposable
{
    /// <summary>The key under which the metrics are kept in the engine's key-value store.</summary>
    public const string MetricsKey = "metrics/sync";

    private readonly object _gate = new();
    private readonly IKeyValueStore _store;
    private readonly ILogger _logger;
    private readonly BehaviorSubject<SyncMetrics> _metrics;
    private readonly CompositeDisposable _subscriptions = [];
    private OfflineStatus _current = new();
    private bool _saving;
    private bool _saveAgain;
    private Task _saveLoop = Task.CompletedTask;
    private int _disposed;

    private OfflineStatusMonitor(IObservable<OfflineStatus> status, IKeyValueStore store, SyncMetrics metrics, ILogger logger)
    {
        _store = store;
        _logger = logger;
        _metrics = new BehaviorSubject<SyncMetrics>(metrics);
        Status = status;
        StatusMessage = status.Select(static s => StatusMessages.For(s)).DistinctUntilChanged();
        Metrics = _metrics.AsObservable();
    }

    /// <summary>
    /// The engine's status (online, syncing, pending, failed, conflicts, storage used, last sync, paused, auto-sync, last
    /// error): replays the current value, skips duplicates, never errors, completes when the engine is disposed. Emits on
    /// the thread that changed it: observe it on your UI scheduler.
    /// </summary>
    public IObservable<OfflineStatus> Status { get; }

    /// <summary>
    /// The status as one line for people (<see cref="StatusMessages.For(OfflineStatus, CultureInfo?)"/> in the current UI
    /// culture): replays the current message, skips repeats.
    /// </summary>
    public IObservable<string> StatusMessage { get; }

    /// <summary>The metrics: the current value on subscribe, then after each sync. Completes when the engine is disposed.</summary>
    public IObservable<SyncMetrics> Metrics { get; }

    /// <summary>The status now.</summary>
    public OfflineStatus CurrentStatus
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>The message for the status now (seed: <c>getStatusMessage</c>), in <paramref name="culture"/> or the current UI culture.</summary>
    public string GetStatusMessage(CultureInfo? culture = null) => StatusMessages.For(CurrentStatus, culture);

    /// <summary>The metrics now (seed: <c>getSyncMetrics</c>).</summary>
    public SyncMetrics GetSyncMetrics()
    {
        lock (_gate)
        {
            return _metrics.Value;
        }
    }

    /// <summary>Starts counting again from zero and stores the empty metrics.</summary>
    /// <exception cref="ObjectDisposedException">The engine was disposed.</exception>
    public async Task ResetMetricsAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            _metrics.OnNext(SyncMetrics.Empty);
        }

        await SaveAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops watching the engine, waits for the last metrics write and completes <see cref="Metrics"/>. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscriptions.Dispose();
        Task saving;
        lock (_gate)
        {
            saving = _saveLoop;
        }

        await saving.ConfigureAwait(false);
        lock (_gate)
        {
            _metrics.OnCompleted();
        }
    }

    /// <summary>
    /// Reads the stored metrics and builds a monitor over the engine's streams. Subscribe it before the pipeline starts, so
    /// the start-up sync is counted.
    /// </summary>
    internal static async Task<OfflineStatusMonitor> CreateAsync(
        IObservable<OfflineStatus> status,
        IObservable<SyncEvent> events,
        IKeyValueStore store,
        ILogger? logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(events);
        ArgumentNullException.ThrowIfNull(store);
        logger ??= NullLogger.Instance;
        var metrics = await LoadAsync(store, logger, cancellationToken).ConfigureAwait(false);
        var monitor = new OfflineStatusMonitor(status, store, metrics, logger);
        monitor._subscriptions.Add(status.Subscribe(monitor.OnStatus, ex => logger.LogError(ex, "The status stream failed.")));
        monitor._subscriptions.Add(events.OfType<SyncCompleted>().Subscribe(
            monitor.OnSyncCompleted, ex => logger.LogError(ex, "The event stream failed; metrics stop counting.")));
        return monitor;
    }

    private static async Task<SyncMetrics> LoadAsync(IKeyValueStore store, ILogger logger, CancellationToken cancellationToken)
    {
        var json = await store.GetAsync(MetricsKey, cancellationToken).ConfigureAwait(false);
        if (json is null)
        {
            return SyncMetrics.Empty;
        }

        try
        {
            return JsonSerializer.Deserialize(json, SyncMetricsJsonContext.Default.SyncMetrics) ?? SyncMetrics.Empty;
        }
        catch (JsonException ex)
        {
            // Metrics are not worth failing the engine for; the unreadable value is replaced after the next sync.
            logger.LogWarning(ex, "The stored sync metrics could not be read; counting starts again.");
            return SyncMetrics.Empty;
        }
    }

    private void OnStatus(OfflineStatus status)
    {
        lock (_gate)
        {
            _current = status;
        }
    }

    private void OnSyncCompleted(SyncCompleted completed)
    {
        lock (_gate)
        {
            if (Volatile.Read(ref _disposed) != 0)
            {
                return;
            }

            try
            {
                _metrics.OnNext(_metrics.Value.Add(completed.Result, completed.Timestamp));
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A subscriber of Metrics threw.");
            }
        }

        _ = SaveAsync();
    }

    /// <summary>Writes the newest metrics; one write at a time, and a change during a write is written after it.</summary>
    private Task SaveAsync()
    {
        lock (_gate)
        {
            if (_saving)
            {
                _saveAgain = true;
                return _saveLoop;
            }

            _saving = true;
            _saveLoop = SaveLoopAsync();
            return _saveLoop;
        }
    }

    private async Task SaveLoopAsync()
    {
        // Leave the caller's thread (a drain reporting its result) before touching the store.
        await Task.Yield();
        while (true)
        {
            SyncMetrics metrics;
            lock (_gate)
            {
                metrics = _metrics.Value;
                _saveAgain = false;
            }

            try
            {
                var json = JsonSerializer.Serialize(metrics, SyncMetricsJsonContext.Default.SyncMetrics);
                await _store.SetAsync(MetricsKey, json, null, CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogWarning(ex, "The sync metrics could not be stored; the next sync tries again.");
            }

            lock (_gate)
            {
                if (!_saveAgain)
                {
                    _saving = false;
                    return;
                }
            }
        }
    }
}
