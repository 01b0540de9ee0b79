using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Model;
using ReactiveSync.Storage;

namespace ReactiveSync.Background;

/// <summary>
/// Runs background work when the device allows it (the seed's <c>BackgroundSyncService</c>): a periodic sync, every
/// <see cref="BackgroundSyncConfiguration.SyncInterval"/> in the foreground and <see cref="BackgroundSyncConfiguration.BackgroundSyncInterval"/>
/// in the background, and tasks the app schedules, persisted so they survive a restart.
/// </summary>
/// <remarks>
/// <para>Work runs one item at a time, highest priority first, then earliest due, then first scheduled. An item whose
/// constraints do not hold waits (re-checked whenever the device state or the configuration changes). A running item whose
/// constraints stop holding has its token cancelled and runs again when they hold, without counting a failure. A failed
/// item backs off exponentially within the configured bounds; one-off tasks retry until they succeed or are cancelled.</para>
/// <para>All waiting is on the injected scheduler, and the runner is started from it; use a scheduler that runs work later
/// (event loop, task pool, <c>TestScheduler</c>), not <c>ImmediateScheduler</c>. Nothing runs before <see cref="StartAsync"/>.</para>
/// </remarks>
public sealed class BackgroundSyncService : IDisposable
{
    /// <summary>The id of the periodic sync in <see cref="TaskChanges"/>; it is not persisted and cannot be cancelled (disable it in the configuration).</summary>
    public const string PeriodicSyncTaskId = "periodic-sync";

    /// <summary>The key prefix of persisted tasks in the <see cref="IKeyValueStore"/>; the task id follows it.</summary>
    public const string StoreKeyPrefix = "background/tasks/";

    private readonly object _gate = new();
    private readonly IDeviceStateMonitor _monitor;
    private readonly IKeyValueStore _store;
    private readonly IScheduler _scheduler;
    private readonly BackgroundTaskRunner _runner;
    private readonly ILogger _logger;
    private readonly Dictionary<string, Entry> _tasks = new(StringComparer.Ordinal);
    private readonly Subject<BackgroundTask> _changes = new();
    private readonly Queue<BackgroundTask?> _outbox = new(); // null completes the stream
    private bool _emitting;

    private BackgroundSyncConfiguration _config;
    private DeviceState _device = DeviceState.Unknown;
    private Entry? _running;
    private Entry? _periodic;
    private DateTimeOffset _periodicAnchor; // start of the last periodic run, or when the periodic sync was enabled
    private DateTimeOffset? _periodicRetryAt;
    private int _periodicFailures;
    private IDisposable? _timer;
    private DateTimeOffset? _timerDue;
    private IDisposable? _deviceSubscription;
    private bool _evaluateScheduled;
    private bool _started;
    private bool _disposed;
    private Task? _loadTask;
    private Task _writeTail = Task.CompletedTask; // store writes run in order, one after the other
    private long _nextSequence;

    /// <summary>Creates the service; call <see cref="StartAsync"/> to load persisted tasks and begin.</summary>
    /// <param name="deviceStateMonitor">The device state constraints are judged against.</param>
    /// <param name="store">Where scheduled tasks are persisted, under <see cref="StoreKeyPrefix"/>.</param>
    /// <param name="scheduler">The clock and timers for all waiting; the runner is started from it.</param>
    /// <param name="runner">Does the work of each task (the engine supplies it).</param>
    /// <param name="configuration">The configuration; <see cref="BackgroundSyncConfiguration.Default"/> when null. Validated.</param>
    /// <param name="logger">Where runs, failures and cancellations are logged (never a task's data).</param>
    /// <exception cref="BackgroundSyncConfigurationException">The configuration is invalid.</exception>
    public BackgroundSyncService(
        IDeviceStateMonitor deviceStateMonitor,
        IKeyValueStore store,
        IScheduler scheduler,
        BackgroundTaskRunner runner,
        BackgroundSyncConfiguration? configuration = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(deviceStateMonitor);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(runner);
        _monitor = deviceStateMonitor;
        _store = store;
        _scheduler = scheduler;
        _runner = runner;
        _config = (configuration ?? BackgroundSyncConfiguration.Default).Validate();
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The configuration in force.</summary>
    public BackgroundSyncConfiguration Configuration
    {
        get
        {
            lock (_gate)
            {
                return _config;
            }
        }
    }

    /// <summary>
    /// Every change of a task (scheduled, waiting, running, retrying, succeeded, cancelled), the periodic sync included;
    /// hot, observers are called one at a time in order; completes when the service is disposed.
    /// </summary>
    public IObservable<BackgroundTask> TaskChanges => _changes.AsObservable();

    /// <summary>Replaces the configuration; takes effect at once (a running task whose constraints no longer hold is cancelled).</summary>
    /// <exception cref="BackgroundSyncConfigurationException">The configuration is invalid; the old one stays.</exception>
    public void UpdateConfiguration(BackgroundSyncConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        configuration.Validate();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _config = configuration;
        }

        ScheduleEvaluate();
    }

    /// <summary>Loads the persisted tasks and starts watching the device and running work. Calling it again does nothing.</summary>
    public async Task StartAsync(CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_started || _deviceSubscription is not null)
            {
                return;
            }

            _deviceSubscription = Disposable.Empty; // claims the start against a concurrent call
        }

        int taskCount;

        // Subscribe before starting, so the first evaluation sees the replayed device state, not Unknown.
        var subscription = _monitor.State.Subscribe(OnDeviceState, OnDeviceError);
        lock (_gate)
        {
            if (_disposed)
            {
                subscription.Dispose();
                return;
            }

            _deviceSubscription = subscription;
            _started = true;
            taskCount = _tasks.Count;
        }

        _logger.LogInformation("Background sync started with {TaskCount} scheduled tasks", taskCount);
        ScheduleEvaluate();
    }

    /// <summary>
    /// Schedules a task and persists it before returning it; it runs at <see cref="BackgroundTaskRequest.ScheduledAt"/>
    /// or later, once its constraints hold and the service is started.
    /// </summary>
    /// <returns>The persisted task, in state <see cref="BackgroundTaskState.Scheduled"/>.</returns>
    /// <exception cref="ArgumentException">The request has an unknown type or priority.</exception>
    public async Task<BackgroundTask> ScheduleTaskAsync(BackgroundTaskRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Type))
        {
            throw new ArgumentException($"BackgroundTaskRequest.Type is not a known task type; got {request.Type}.", nameof(request));
        }

        if (!Enum.IsDefined(request.Priority))
        {
            throw new ArgumentException($"BackgroundTaskRequest.Priority is not a known priority; got {request.Priority}.", nameof(request));
        }

        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();

        BackgroundTask task;
        Task write;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var now = _scheduler.Now;
            var at = request.ScheduledAt ?? now;
            task = new BackgroundTask
            {
                Id = Guid.NewGuid().ToString("N"),
                Type = request.Type,
                Priority = request.Priority,
                ScheduledAt = at,
                BatteryOptimized = request.BatteryOptimized,
                WifiOnly = request.WifiOnly,
                Data = request.Data,
                State = BackgroundTaskState.Scheduled,
                NextRunAt = at,
                CreatedAt = now,
                Sequence = _nextSequence++,
            };

            // Not the caller's token: once a write starts it completes, so a task is either durable and known, or neither.
            write = EnqueueWrite(() => _store.InsertObjectAsync(Key(task.Id), task, BackgroundTaskJsonContext.Default.BackgroundTask, null, CancellationToken.None));
        }

        await write.ConfigureAwait(false);

        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            _tasks[task.Id] = new Entry(task);
            Emit(task);
        }

        _logger.LogDebug("Scheduled background task {TaskId} ({TaskType}, {Priority}) at {ScheduledAt}", task.Id, task.Type, task.Priority, task.ScheduledAt);
        Drain();
        ScheduleEvaluate();
        return task;
    }

    /// <summary>
    /// Cancels a scheduled task and removes it from the store; a running one has its token cancelled. Answers whether
    /// the task was known. The periodic sync is not a task here: disable it with <see cref="BackgroundSyncConfiguration.PeriodicSyncEnabled"/>.
    /// </summary>
    public async Task<bool> CancelTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(taskId);
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);

        CancellationTokenSource? toCancel = null;
        Task write;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (!_tasks.Remove(taskId, out var entry))
            {
                return false;
            }

            if (ReferenceEquals(entry, _running))
            {
                // It leaves the running slot when the runner returns; until then nothing else starts.
                entry.CancelRequested = true;
                toCancel = entry.Cts;
            }
            else
            {
                entry.Task = entry.Task with { State = BackgroundTaskState.Cancelled, UnmetConstraints = BackgroundConstraints.None };
                Emit(entry.Task);
            }

            write = EnqueueWrite(() => _store.InvalidateAsync(Key(taskId), CancellationToken.None));
        }

        _logger.LogDebug("Cancelled background task {TaskId}", taskId);
        Cancel(toCancel);
        Drain();
        ScheduleEvaluate();
        await write.ConfigureAwait(false);
        return true;
    }

    /// <summary>The tasks the app scheduled that have not finished, in the order they would run (the periodic sync is not listed).</summary>
    public async Task<IReadOnlyList<BackgroundTask>> GetScheduledTasksAsync(CancellationToken cancellationToken = default)
    {
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            var tasks = _tasks.Values.Select(e => e.Task).ToList();
            tasks.Sort(RunOrder);
            return tasks;
        }
    }

    /// <summary>Stops: cancels the running task's token (it stays persisted and runs again after a restart), stops timers, completes <see cref="TaskChanges"/>.</summary>
    public void Dispose()
    {
        CancellationTokenSource? toCancel;
        IDisposable? timer;
        IDisposable? subscription;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            toCancel = _running?.Cts;
            timer = _timer;
            subscription = _deviceSubscription;
            _timer = null;
            _deviceSubscription = null;
            _outbox.Enqueue(null);
        }

        Cancel(toCancel);
        timer?.Dispose();
        subscription?.Dispose();
        Drain();
    }

    private static string Key(string taskId) => StoreKeyPrefix + taskId;

    // Higher priority first, then earlier due, then scheduled first; the periodic sync sorts by its own sequence (-1).
    private static int RunOrder(BackgroundTask a, BackgroundTask b)
    {
        var byPriority = b.Priority.CompareTo(a.Priority);
        if (byPriority != 0)
        {
            return byPriority;
        }

        var byTime = a.NextRunAt.CompareTo(b.NextRunAt);
        return byTime != 0 ? byTime : a.Sequence.CompareTo(b.Sequence);
    }

    private void OnDeviceState(DeviceState state)
    {
        lock (_gate)
        {
            _device = state;
        }

        ScheduleEvaluate();
    }

    private void OnDeviceError(Exception error) =>
        // The port promises never to fail; if one does, keep the last known state rather than stop all work.
        _logger.LogError(error, "The device state monitor failed; keeping the last known state");

    private void ScheduleEvaluate()
    {
        lock (_gate)
        {
            if (_evaluateScheduled || !_started || _disposed)
            {
                return;
            }

            _evaluateScheduled = true;
        }

        _scheduler.Schedule(Evaluate);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _timer = null;
            _timerDue = null;
        }

        Evaluate();
    }

    // The one place work is started, waits are marked and constraint losses are noticed; runs on the scheduler.
    private void Evaluate()
    {
        CancellationTokenSource? toCancel = null;
        Entry? toStart = null;
        IDisposable? oldTimer = null;
        lock (_gate)
        {
            _evaluateScheduled = false;
            if (!_started || _disposed)
            {
                return;
            }

            var now = _scheduler.Now;
            RefreshPeriodic();

            if (_running is { Interrupted: false, CancelRequested: false } running)
            {
                var unmet = Unmet(running);
                if (unmet != BackgroundConstraints.None)
                {
                    running.Interrupted = true;
                    toCancel = running.Cts;
                    _logger.LogInformation("Cancelling background task {TaskId}: constraints {Unmet} no longer hold", running.Task.Id, unmet);
                }
            }

            // Pick the next item first, so the one that starts goes straight to Running without an intermediate state.
            var candidates = new List<(Entry Entry, BackgroundConstraints Unmet)>();
            Entry? best = null;
            foreach (var entry in Entries())
            {
                if (ReferenceEquals(entry, _running))
                {
                    continue;
                }

                var due = entry.Task.NextRunAt <= now;
                var unmet = due ? Unmet(entry) : BackgroundConstraints.None;
                candidates.Add((entry, unmet));
                if (_running is null && due && unmet == BackgroundConstraints.None && (best is null || RunOrder(entry.Task, best.Task) < 0))
                {
                    best = entry;
                }
            }

            foreach (var (entry, unmet) in candidates)
            {
                if (ReferenceEquals(entry, best))
                {
                    continue;
                }

                var state = unmet != BackgroundConstraints.None ? BackgroundTaskState.WaitingForConstraints
                    : entry.Task.State == BackgroundTaskState.WaitingForConstraints ? BackgroundTaskState.Scheduled
                    : entry.Task.State;
                if (state != entry.Task.State || unmet != entry.Task.UnmetConstraints)
                {
                    entry.Task = entry.Task with { State = state, UnmetConstraints = unmet };
                    Emit(entry.Task);
                }
            }

            if (best is not null)
            {
                best.Cts = new CancellationTokenSource();
                best.StartedAt = now;
                best.Interrupted = false;
                best.Task = best.Task with
                {
                    State = BackgroundTaskState.Running,
                    Attempt = best.Task.Attempt + 1,
                    UnmetConstraints = BackgroundConstraints.None,
                };
                _running = best;
                toStart = best;
                if (!best.Task.IsPeriodic)
                {
                    PersistInBackground(best.Task);
                }

                Emit(best.Task);
            }

            // While something runs its completion re-evaluates; otherwise wake at the next due time.
            DateTimeOffset? wakeAt = null;
            if (_running is null)
            {
                foreach (var entry in Entries())
                {
                    if (entry.Task.NextRunAt > now && (wakeAt is null || entry.Task.NextRunAt < wakeAt))
                    {
                        wakeAt = entry.Task.NextRunAt;
                    }
                }
            }

            if (wakeAt != _timerDue)
            {
                oldTimer = _timer;
                _timerDue = wakeAt;
                _timer = wakeAt is { } at ? _scheduler.Schedule(at, OnTimer) : null;
            }
        }

        oldTimer?.Dispose();
        Cancel(toCancel);
        Drain();
        if (toStart is not null)
        {
            _logger.LogDebug("Running background task {TaskId} ({TaskType}), attempt {Attempt}", toStart.Task.Id, toStart.Task.Type, toStart.Task.Attempt);
            _ = RunAsync(toStart, toStart.Task, toStart.Cts!.Token);
        }
    }

    private async Task RunAsync(Entry entry, BackgroundTask task, CancellationToken cancellationToken)
    {
        Exception? error = null;
        try
        {
            await _runner(task, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            error = ex;
        }

        OnRunFinished(entry, error);
    }

    private void OnRunFinished(Entry entry, Exception? error)
    {
        CancellationTokenSource? cts;
        lock (_gate)
        {
            if (!ReferenceEquals(_running, entry))
            {
                return;
            }

            _running = null;
            cts = entry.Cts;
            entry.Cts = null;
            if (_disposed)
            {
                // Left as persisted (Running): it runs again after a restart.
                cts?.Dispose();
                return;
            }

            var now = _scheduler.Now;
            if (entry.CancelRequested)
            {
                entry.Task = entry.Task with { State = BackgroundTaskState.Cancelled };
                Emit(entry.Task);
            }
            else if (error is null)
            {
                OnSucceeded(entry);
            }
            else if (entry.Interrupted)
            {
                // Stopped because a constraint went away: not a failure; it runs again when the constraints hold.
                entry.Interrupted = false;
                var unmet = Unmet(entry);
                entry.Task = entry.Task with
                {
                    State = unmet == BackgroundConstraints.None ? BackgroundTaskState.Scheduled : BackgroundTaskState.WaitingForConstraints,
                    UnmetConstraints = unmet,
                };
                if (!entry.Task.IsPeriodic)
                {
                    PersistInBackground(entry.Task);
                }

                Emit(entry.Task);
            }
            else
            {
                OnFailed(entry, error, now);
            }
        }

        cts?.Dispose();
        Drain();
        ScheduleEvaluate();
    }

    private void OnSucceeded(Entry entry)
    {
        entry.Interrupted = false;
        entry.Task = entry.Task with { State = BackgroundTaskState.Succeeded, LastError = null };
        if (entry.Task.IsPeriodic)
        {
            _periodicAnchor = entry.StartedAt;
            _periodicFailures = 0;
            _periodicRetryAt = null;
            entry.Task = entry.Task with { FailureCount = 0 };
        }
        else
        {
            _tasks.Remove(entry.Task.Id);
            var id = entry.Task.Id;
            ObserveWrite(EnqueueWrite(() => _store.InvalidateAsync(Key(id), CancellationToken.None)), id);
        }

        _logger.LogDebug("Background task {TaskId} succeeded", entry.Task.Id);
        Emit(entry.Task);
    }

    private void OnFailed(Entry entry, Exception error, DateTimeOffset now)
    {
        var failures = entry.Task.FailureCount + 1;
        var delay = BackgroundPolicy.Backoff(_config, failures);
        var retryAt = now + delay;
        if (entry.Task.IsPeriodic)
        {
            // A failing periodic sync runs no more often than usual: at the later of the interval and the backoff.
            _periodicAnchor = entry.StartedAt;
            _periodicFailures = failures;
            _periodicRetryAt = retryAt;
        }

        entry.Task = entry.Task with
        {
            State = BackgroundTaskState.Retrying,
            FailureCount = failures,
            NextRunAt = retryAt,
            LastError = error.Message,
        };
        if (entry.Task.IsPeriodic)
        {
            entry.Task = entry.Task with { NextRunAt = PeriodicDueAt() };
        }
        else
        {
            PersistInBackground(entry.Task);
        }

        _logger.LogWarning(error, "Background task {TaskId} ({TaskType}) failed {Failures} time(s); retrying after {Delay}", entry.Task.Id, entry.Task.Type, failures, delay);
        Emit(entry.Task);
    }

    // Keeps the periodic entry in line with the configuration and the foreground state; called under the lock.
    private void RefreshPeriodic()
    {
        if (!_config.PeriodicSyncEnabled)
        {
            if (_periodic is not null && !ReferenceEquals(_periodic, _running))
            {
                _periodic = null;
            }

            return;
        }

        if (_periodic is null)
        {
            // Enabled now (at start or by a configuration change): the first run is one interval away.
            _periodicAnchor = _scheduler.Now;
            _periodicRetryAt = null;
            _periodicFailures = 0;
            _periodic = new Entry(new BackgroundTask
            {
                Id = PeriodicSyncTaskId,
                Type = BackgroundTaskType.Sync,
                Priority = SyncPriority.Low,
                State = BackgroundTaskState.Scheduled,
                CreatedAt = _scheduler.Now,
                Sequence = -1,
                FailureCount = _periodicFailures,
            });
        }

        if (ReferenceEquals(_periodic, _running))
        {
            return;
        }

        var due = PeriodicDueAt();
        var state = _periodic.Task.State == BackgroundTaskState.Succeeded ? BackgroundTaskState.Scheduled : _periodic.Task.State;
        if (due != _periodic.Task.NextRunAt || state != _periodic.Task.State)
        {
            _periodic.Task = _periodic.Task with { NextRunAt = due, ScheduledAt = due, BatteryOptimized = _config.BatteryOptimized, State = state };
            Emit(_periodic.Task);
        }
    }

    private DateTimeOffset PeriodicDueAt()
    {
        var interval = _device.IsForeground ? _config.SyncInterval : _config.BackgroundSyncInterval;
        var due = _periodicAnchor + interval;
        return _periodicRetryAt is { } retryAt && retryAt > due ? retryAt : due;
    }

    private IEnumerable<Entry> Entries()
    {
        foreach (var entry in _tasks.Values)
        {
            yield return entry;
        }

        if (_periodic is not null)
        {
            yield return _periodic;
        }
    }

    private BackgroundConstraints Unmet(Entry entry) =>
        entry.Task.IsPeriodic
            ? BackgroundPolicy.Unmet(_config, _device, _config.BatteryOptimized, wifiOnly: false)
            : BackgroundPolicy.Unmet(_config, _device, entry.Task.BatteryOptimized, entry.Task.WifiOnly);

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        Task load;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            load = _loadTask ??= LoadAsync();
        }

        try
        {
            await load.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch when (load.IsFaulted)
        {
            lock (_gate)
            {
                // Let the next caller try again rather than fail forever.
                if (ReferenceEquals(_loadTask, load))
                {
                    _loadTask = null;
                }
            }

            throw;
        }
    }

    private async Task LoadAsync()
    {
        var keys = await _store.GetKeysAsync(StoreKeyPrefix, CancellationToken.None).ConfigureAwait(false);
        var loaded = new List<BackgroundTask>(keys.Count);
        foreach (var key in keys)
        {
            try
            {
                var task = await _store.GetObjectAsync(key, BackgroundTaskJsonContext.Default.BackgroundTask, CancellationToken.None).ConfigureAwait(false);
                if (task is not null && key == Key(task.Id))
                {
                    loaded.Add(task);
                }
            }
            catch (JsonException ex)
            {
                // One unreadable entry must not keep every other task from running.
                _logger.LogWarning(ex, "Skipping unreadable background task under {Key}", key);
            }
        }

        lock (_gate)
        {
            foreach (var task in loaded)
            {
                // A task persisted as running was cut off by a shutdown: it simply runs again.
                var state = task.State is BackgroundTaskState.Running or BackgroundTaskState.WaitingForConstraints
                    ? BackgroundTaskState.Scheduled
                    : task.State;
                _tasks.TryAdd(task.Id, new Entry(task with { State = state, UnmetConstraints = BackgroundConstraints.None }));
                _nextSequence = Math.Max(_nextSequence, task.Sequence + 1);
            }
        }
    }

    // Called under the lock, so writes are queued in the order the state changed.
    private Task EnqueueWrite(Func<Task> write)
    {
        var next = ChainAsync(_writeTail, write);
        _writeTail = next;
        return next;
    }

    private static async Task ChainAsync(Task previous, Func<Task> write)
    {
        try
        {
            await previous.ConfigureAwait(false);
        }
        catch
        {
            // The previous write's failure was reported to whoever awaited or observed it; this write still goes ahead.
        }

        await write().ConfigureAwait(false);
    }

    private void PersistInBackground(BackgroundTask task) =>
        ObserveWrite(EnqueueWrite(() => _store.InsertObjectAsync(Key(task.Id), task, BackgroundTaskJsonContext.Default.BackgroundTask, null, CancellationToken.None)), task.Id);

    private void ObserveWrite(Task write, string taskId) => _ = ObserveWriteAsync(write, taskId);

    private async Task ObserveWriteAsync(Task write, string taskId)
    {
        try
        {
            await write.ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "Could not persist background task {TaskId}", taskId);
        }
    }

    private void Emit(BackgroundTask task) => _outbox.Enqueue(task);

    // Delivers queued changes outside the lock, one at a time and in order, even when observers call back in.
    private void Drain()
    {
        lock (_gate)
        {
            if (_emitting)
            {
                return;
            }

            _emitting = true;
        }

        while (true)
        {
            BackgroundTask? next;
            lock (_gate)
            {
                if (_outbox.Count == 0)
                {
                    _emitting = false;
                    return;
                }

                next = _outbox.Dequeue();
            }

            try
            {
                if (next is null)
                {
                    _changes.OnCompleted();
                }
                else
                {
                    _changes.OnNext(next);
                }
            }
            catch (Exception ex)
            {
                _logger.LogError(ex, "A TaskChanges observer threw; the service goes on");
            }
        }
    }

    private void Cancel(CancellationTokenSource? cts)
    {
        if (cts is null)
        {
            return;
        }

        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The run finished meanwhile.
        }
        catch (AggregateException ex)
        {
            _logger.LogError(ex, "A cancellation callback of a background task threw");
        }
    }

    private sealed class Entry(BackgroundTask task)
    {
        public BackgroundTask Task { get; set; } = task;

        public CancellationTokenSource? Cts { get; set; }

        public DateTimeOffset StartedAt { get; set; }

        public bool Interrupted { get; set; }

        public bool CancelRequested { get; set; }
    }
}
