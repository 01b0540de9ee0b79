using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Reactive;
using ReactiveSync.Transport;

namespace ReactiveSync.Pipeline;

/// <summary>
/// The sync pipeline: triggers (start-up, network coming online, queue changes, the sync interval, manual requests,
/// the next retry falling due, resuming) merged into one stream, gated by pause, online state and credentials, feeding
/// one drain at a time with exactly one more pass when triggered during a drain. Owns the engine's state
/// (online, paused, auto-sync, waiting for credentials, syncing, last sync) and its event and status streams.
/// </summary>
/// <remarks>
/// Auto-sync filters the automatic triggers before the gate: while it is off they are dropped, not remembered.
/// Manual requests pass that filter but not the gate (paused, offline or waiting for credentials). Every wait is on the
/// injected scheduler. Locks: <c>_stateLock</c> and <c>_drainLock</c> are held only to read and write fields, never
/// while calling out; state is published under <c>_publishLock</c>, newest snapshot wins.
/// </remarks>
internal sealed class SyncPipeline : IAsyncDisposable
{
    private readonly OperationQueue _queue;
    private readonly INetworkMonitor _network;
    private readonly IAccessTokenProvider? _tokens;
    private readonly SyncConfiguration _configuration;
    private readonly IScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly SyncDrain _drain;

    private readonly object _stateLock = new();
    private readonly object _drainLock = new();
    private readonly object _publishLock = new();
    private readonly EngineState _state;
    private long _stateVersion;
    private long _publishedVersion;

    private readonly ISubject<SyncTrigger> _triggers = Subject.Synchronize(new Subject<SyncTrigger>());
    private readonly BehaviorSubject<bool> _gateOpen = new(false);
    private readonly BehaviorSubject<bool> _online;
    private readonly BehaviorSubject<OfflineStatus> _status;
    private readonly Subject<SyncEvent> _eventsSubject = new();
    private readonly ISubject<SyncEvent> _events;
    private readonly Subject<SyncConflict> _conflictsSubject = new();
    private readonly ISubject<SyncConflict> _conflicts;

    private readonly CompositeDisposable _subscriptions = [];
    private readonly SerialDisposable _retryTimer = new();
    private readonly CancellationTokenSource _disposeCts = new();

    // Guarded by _drainLock.
    private readonly List<TaskCompletionSource<SyncResult>> _manualWaiters = [];
    private readonly List<TaskCompletionSource> _idleWaiters = [];
    private bool _requested;
    private bool _running;
    private bool _disposing;
    private Task _currentDrain = Task.CompletedTask;

    private int _started;
    private int _disposed;

    public SyncPipeline(
        OperationQueue queue,
        ISyncTransport transport,
        INetworkMonitor network,
        IAccessTokenProvider? tokens,
        SyncConfiguration configuration,
        IScheduler scheduler,
        string clientId,
        Func<double> randomUnit,
        ResolveConflict? resolveConflict,
        ILogger logger,
        ISyncDrainHooks? hooks = null)
    {
        _queue = queue;
        _network = network;
        _tokens = tokens;
        _configuration = configuration;
        _scheduler = scheduler;
        _logger = logger;
        _events = Subject.Synchronize(_eventsSubject);
        _conflicts = Subject.Synchronize(_conflictsSubject);
        _state = new EngineState { AutoSync = configuration.AutoSyncEnabled, Stats = QueueStats.Empty };
        _online = new BehaviorSubject<bool>(false);
        _status = new BehaviorSubject<OfflineStatus>(_state.ToStatus());
        _drain = new SyncDrain(
            queue, transport, clientId, configuration, scheduler, randomUnit,
            resolveConflict ?? ConflictResolvers.ParkAll, Emit, EmitConflict, hooks ?? NoDrainHooks.Instance, logger);

        Events = _eventsSubject.AsObservable();
        Conflicts = _conflictsSubject.AsObservable();
        IsOnline = _online.DistinctUntilChanged();
        Status = _status.DistinctUntilChanged();
    }

    /// <summary>The engine's events, in the order they happened.</summary>
    public IObservable<SyncEvent> Events { get; }

    /// <summary>Every conflict detected, as resolved (or parked).</summary>
    public IObservable<SyncConflict> Conflicts { get; }

    /// <summary>Whether the server is reachable; replays the current value, skips duplicates.</summary>
    public IObservable<bool> IsOnline { get; }

    /// <summary>The status; replays the current value, skips duplicates, never errors.</summary>
    public IObservable<OfflineStatus> Status { get; }

    /// <summary>The scheduler's time now.</summary>
    public DateTimeOffset Now => _scheduler.Now;

    /// <summary>The status now.</summary>
    public OfflineStatus CurrentStatus => _status.Value;

    /// <summary>
    /// When set and answering true, interval ticks are dropped: the background service's periodic sync (battery- and
    /// network-aware) replaces the engine's interval, so the two do not both sync on a timer.
    /// </summary>
    public Func<bool>? SuppressIntervalTrigger { get; set; }

    /// <summary>Subscribes to the network, the queue and the credentials, then asks for a start-up drain.</summary>
    public void Start()
    {
        if (Interlocked.Exchange(ref _started, 1) != 0)
        {
            throw new InvalidOperationException("The pipeline is already started.");
        }

        _subscriptions.Add(_queue.Stats.Subscribe(stats => UpdateState(s => s.Stats = stats)));
        _subscriptions.Add(_queue.Queued.Subscribe(op => Emit(new OperationQueued(op) { Timestamp = _scheduler.Now })));
        _subscriptions.Add(_network.Status
            .Select(static status => status.IsOnline)
            .DistinctUntilChanged()
            .Subscribe(OnNetworkChanged, ex => _logger.LogError(ex, "The network monitor failed; the last known state stays.")));
        if (_tokens is not null)
        {
            _subscriptions.Add(_tokens.Renewed.Subscribe(
                _ => NotifyCredentialsRenewed(),
                ex => _logger.LogError(ex, "The token provider's Renewed stream failed.")));
        }

        _subscriptions.Add(BuildTriggers()
            .Pausable(_gateOpen)
            .Do(_ => MarkRequested())
            .SelectExclusive((trigger, cancellationToken) => RunDrainAsync(trigger, cancellationToken))
            .Subscribe(
                static _ => { },
                ex => _logger.LogCritical(ex, "The sync pipeline stopped unexpectedly.")));

        // Whatever is pending from an earlier run goes out without waiting for a new write (held while offline).
        _triggers.OnNext(SyncTrigger.Startup);
    }

    /// <summary>
    /// Runs a drain now (or right after the running one) and answers its result. Bypasses auto-sync.
    /// </summary>
    /// <exception cref="SyncException">Offline (Network), or waiting for credentials (Authentication).</exception>
    /// <exception cref="InvalidOperationException">Sync is paused.</exception>
    public async Task<SyncResult> SyncNowAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        cancellationToken.ThrowIfCancellationRequested();
        var waiter = new TaskCompletionSource<SyncResult>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_stateLock)
        {
            if (ClosedReason() is { } reason)
            {
                throw reason;
            }

            lock (_drainLock)
            {
                _manualWaiters.Add(waiter);
            }
        }

        using var registration = cancellationToken.Register(() =>
        {
            lock (_drainLock)
            {
                _manualWaiters.Remove(waiter);
            }

            waiter.TrySetCanceled(cancellationToken);
        });
        _triggers.OnNext(SyncTrigger.Manual);
        return await waiter.Task.ConfigureAwait(false);
    }

    /// <summary>Asks for a drain as an automatic trigger would (e.g. after failed operations were made pending again).</summary>
    public void RequestSync(SyncTrigger trigger) => _triggers.OnNext(trigger);

    /// <summary>Turns automatic syncing on or off; turning it on syncs what is pending.</summary>
    public void SetAutoSync(bool enabled)
    {
        var wasEnabled = false;
        UpdateState(s =>
        {
            wasEnabled = s.AutoSync;
            s.AutoSync = enabled;
        });
        if (enabled && !wasEnabled)
        {
            _triggers.OnNext(SyncTrigger.Resumed);
        }
    }

    /// <summary>Pauses syncing: no drain starts until <see cref="Resume"/>; a running drain finishes its batch.</summary>
    public void Pause() => UpdateState(s => s.Paused = true);

    /// <summary>Resumes syncing after <see cref="Pause"/> and syncs what is pending.</summary>
    public void Resume()
    {
        bool paused;
        lock (_stateLock)
        {
            paused = _state.Paused;
        }

        if (paused)
        {
            // The trigger goes in while the gate is still closed, so opening it releases exactly one drain.
            _triggers.OnNext(SyncTrigger.Resumed);
            UpdateState(s => s.Paused = false);
        }
    }

    /// <summary>Ends a pause for credentials (the app has new ones) and syncs what is pending. Does nothing otherwise.</summary>
    public void NotifyCredentialsRenewed()
    {
        bool waiting;
        lock (_stateLock)
        {
            waiting = _state.AuthError is not null;
        }

        if (waiting)
        {
            _logger.LogInformation("Credentials renewed; sync resumes.");
            _triggers.OnNext(SyncTrigger.Resumed);
            UpdateState(s => s.AuthError = null);
        }
    }

    /// <summary>Raises an event from another component of the engine (e.g. storage quota from downloads).</summary>
    public void Emit(SyncEvent syncEvent)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        try
        {
            _events.OnNext(syncEvent);
        }
        catch (Exception ex)
        {
            // A subscriber that throws must not stop a drain half-way; the event is delivered to those before it.
            _logger.LogError(ex, "A subscriber of Events threw on {Event}.", syncEvent.GetType().Name);
        }
    }

    private void EmitConflict(SyncConflict conflict)
    {
        try
        {
            _conflicts.OnNext(conflict);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A subscriber of Conflicts threw.");
        }
    }

    /// <summary>Completes when no drain runs and none is asked for; timers armed by the last drain are armed by then.</summary>
    internal Task WhenIdleAsync()
    {
        lock (_drainLock)
        {
            if (IsIdle())
            {
                return Task.CompletedTask;
            }

            var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _idleWaiters.Add(waiter);
            return waiter.Task;
        }
    }

    /// <summary>
    /// Stops the triggers, cancels the running drain and waits for it (its batch goes back to pending), fails waiting
    /// <see cref="SyncNowAsync"/> calls, puts anything still in flight back to pending and completes the streams.
    /// Does not dispose the queue. Safe to call twice.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _subscriptions.Dispose();
        _retryTimer.Dispose();
        Task running;
        lock (_drainLock)
        {
            _disposing = true;
            running = _currentDrain;
        }

        await _disposeCts.CancelAsync().ConfigureAwait(false);
        await running.ConfigureAwait(false);

        List<TaskCompletionSource<SyncResult>> manual;
        List<TaskCompletionSource> idle;
        lock (_drainLock)
        {
            manual = [.. _manualWaiters];
            idle = [.. _idleWaiters];
            _manualWaiters.Clear();
            _idleWaiters.Clear();
        }

        foreach (var waiter in manual)
        {
            waiter.TrySetException(new ObjectDisposedException(nameof(SyncPipeline), "The engine was disposed before the sync ran."));
        }

        foreach (var waiter in idle)
        {
            waiter.TrySetResult();
        }

        await ReleaseInFlightAsync().ConfigureAwait(false);
        _eventsSubject.OnCompleted();
        _conflictsSubject.OnCompleted();
        lock (_publishLock)
        {
            _status.OnCompleted();
            _online.OnCompleted();
            _gateOpen.OnCompleted();
        }

        _disposeCts.Dispose();
    }

    private IObservable<SyncTrigger> BuildTriggers()
    {
        var queueChanges = _queue.Queued
            .DebounceUnless(_configuration.QueueChangeDebounce, static op => op.Priority >= SyncPriority.High, _scheduler)
            .Select(static _ => SyncTrigger.QueueChanged);

        // The interval runs only while online, restarting when the network comes back.
        var interval = _online
            .DistinctUntilChanged()
            .Select(online => online
                ? Observable.Interval(_configuration.SyncInterval, _scheduler).Where(_ => SuppressIntervalTrigger?.Invoke() != true).Select(static _ => SyncTrigger.Interval)
                : Observable.Empty<SyncTrigger>())
            .Switch();

        return Observable.Merge(_triggers, queueChanges, interval)
            .Where(trigger => trigger == SyncTrigger.Manual || IsAutoSyncEnabled());
    }

    private bool CanContinue()
    {
        lock (_stateLock)
        {
            return ClosedReason() is null;
        }
    }

    private bool IsAutoSyncEnabled()
    {
        lock (_stateLock)
        {
            return _state.AutoSync;
        }
    }

    private void OnNetworkChanged(bool online)
    {
        bool first;
        lock (_stateLock)
        {
            first = !_state.NetworkKnown;
        }

        if (!first)
        {
            _logger.LogInformation("The network is {State}.", online ? "online" : "offline");
            Emit(new NetworkStatusChanged(online) { Timestamp = _scheduler.Now });
            if (online)
            {
                // In before the gate opens, so opening it releases exactly one drain.
                _triggers.OnNext(SyncTrigger.NetworkOnline);
            }
        }

        UpdateState(s =>
        {
            s.NetworkKnown = true;
            s.Online = online;
        });
    }

    private void MarkRequested()
    {
        lock (_drainLock)
        {
            _requested = true;
        }
    }

    private async Task<Unit> RunDrainAsync(SyncTrigger trigger, CancellationToken cancellationToken)
    {
        // Leave the operators' locks: the drain and the listeners it calls run on their own.
        await Task.Yield();
        var finished = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        List<TaskCompletionSource<SyncResult>> waiters;
        lock (_drainLock)
        {
            if (_disposing)
            {
                return Unit.Default;
            }

            _requested = false;
            _running = true;
            _currentDrain = finished.Task;
            waiters = [.. _manualWaiters];
            _manualWaiters.Clear();
        }

        try
        {
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _disposeCts.Token);
            var result = await DrainAndReportAsync(trigger, linked.Token).ConfigureAwait(false);
            foreach (var waiter in waiters)
            {
                if (result is null)
                {
                    waiter.TrySetException(new ObjectDisposedException(nameof(SyncPipeline), "The engine was disposed during the sync."));
                }
                else
                {
                    waiter.TrySetResult(result);
                }
            }
        }
        catch (Exception ex)
        {
            // A fault here would end the trigger stream for good; log it and keep the pipeline alive for the next trigger.
            _logger.LogError(ex, "A sync failed unexpectedly.");
            waiters.ForEach(w => w.TrySetException(ex));
        }
        finally
        {
            List<TaskCompletionSource>? idle = null;
            lock (_drainLock)
            {
                _running = false;
                if (IsIdle())
                {
                    idle = [.. _idleWaiters];
                    _idleWaiters.Clear();
                }
            }

            finished.TrySetResult();
            idle?.ForEach(static w => w.TrySetResult());
        }

        return Unit.Default;
    }

    /// <summary>One drain with its events and state; answers null when cancelled by disposal.</summary>
    private async Task<SyncResult?> DrainAndReportAsync(SyncTrigger trigger, CancellationToken cancellationToken)
    {
        var startedAt = _scheduler.Now;
        UpdateState(s => s.Syncing = true);
        Emit(new SyncStarted(trigger) { Timestamp = startedAt });
        DrainOutcome outcome;
        try
        {
            outcome = await _drain.RunAsync(CanContinue, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            UpdateState(s => s.Syncing = false);
            return null;
        }
        catch (Exception ex)
        {
            // The queue itself failed (e.g. the disk): nothing was lost, the operations stay where the store has them.
            _logger.LogError(ex, "The sync failed.");
            var error = ex is SyncException sync ? sync.Error : new SyncError(SyncErrorType.Storage, $"The sync failed: {ex.Message}", IsRetryable: true);
            Emit(new SyncFailed(error) { Timestamp = _scheduler.Now });
            outcome = new DrainOutcome(
                new SyncResult { Success = false, Errors = [error], Duration = _scheduler.Now - startedAt }, null, null, null);
        }

        if (outcome.AuthenticationError is { } authError)
        {
            EnterAuthenticationPause(authError);
        }

        await ArmRetryTimerAsync(outcome).ConfigureAwait(false);

        var result = outcome.Result;
        var completedAt = _scheduler.Now;
        UpdateState(s =>
        {
            s.Syncing = false;
            if (result.Success)
            {
                s.LastSyncTime = completedAt;
                s.LastError = null;
            }
            else
            {
                s.LastError = result.Errors.Count > 0 ? result.Errors[^1] : s.LastError;
            }
        });
        Emit(new SyncCompleted(result) { Timestamp = completedAt });
        return result;
    }

    private void EnterAuthenticationPause(SyncError error)
    {
        UpdateState(s => s.AuthError = error);
        Emit(new AuthenticationRequired(error) { Timestamp = _scheduler.Now });
    }

    /// <summary>
    /// Arms the 'retry due' trigger at the next scheduled retry, if any, replacing the one armed before. A retry that fell
    /// due after the drain's last take (while it pushed or pulled) fires at once: waiting for a timer at a time already
    /// past would leave it to the next interval. Looking only after the last take keeps a due but blocked operation from
    /// firing drain after drain. After a whole batch failed, everything waits for that batch's retry instead: the
    /// server is unwell.
    /// </summary>
    private async Task ArmRetryTimerAsync(DrainOutcome outcome)
    {
        var after = outcome.RetryAt is null && outcome.LastTakeAt is { } lastTake ? lastTake : _scheduler.Now;
        DateTimeOffset? next;
        try
        {
            next = await _queue.GetNextDueTimeAsync(after, CancellationToken.None).ConfigureAwait(false);
        }
        catch (ObjectDisposedException)
        {
            return;
        }

        if (outcome.RetryAt is { } at && (next is null || at < next))
        {
            next = at;
        }

        if (Volatile.Read(ref _disposed) != 0)
        {
            return;
        }

        if (next is { } past && past <= _scheduler.Now)
        {
            // The drain still runs, so this asks for exactly one more pass right after it.
            _retryTimer.Disposable = Disposable.Empty;
            _triggers.OnNext(SyncTrigger.RetryDue);
            return;
        }

        _retryTimer.Disposable = next is { } due
            ? _scheduler.Schedule(due, () => _triggers.OnNext(SyncTrigger.RetryDue))
            : Disposable.Empty;
    }

    private async Task ReleaseInFlightAsync()
    {
        try
        {
            while (true)
            {
                var inFlight = await _queue.GetOperationsAsync(OperationState.InFlight, 0, 1000, CancellationToken.None).ConfigureAwait(false);
                if (inFlight.Count == 0)
                {
                    return;
                }

                await _queue.ReleaseAsync(inFlight.Select(static op => op.Id).ToArray(), CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (ObjectDisposedException)
        {
            // The queue went first; it turns in-flight operations back to pending when it opens again.
        }
    }

    // Under _drainLock.
    private bool IsIdle() => !_running && !_requested;

    // Under _stateLock: why a sync cannot run now, as the exception SyncNowAsync throws; null when it can.
    private Exception? ClosedReason()
    {
        if (!_state.Online)
        {
            return new SyncException(SyncError.Of(SyncErrorType.Network, "Cannot sync while offline: the server is not reachable."));
        }

        if (_state.AuthError is not null)
        {
            return new SyncException(SyncError.Of(
                SyncErrorType.Authentication, "Cannot sync until the credentials are renewed: the server refused them.", statusCode: _state.AuthError.StatusCode));
        }

        return _state.Paused ? new InvalidOperationException("Sync is paused; call Resume first.") : null;
    }

    /// <summary>Changes the state, publishes it (gate, online, status) and fails waiting manual syncs if the gate closed.</summary>
    private void UpdateState(Action<EngineState> change)
    {
        long version;
        bool gateOpen;
        bool online;
        OfflineStatus status;
        Exception? closed;
        List<TaskCompletionSource<SyncResult>>? toFail = null;
        lock (_stateLock)
        {
            change(_state);
            version = ++_stateVersion;
            closed = ClosedReason();
            gateOpen = closed is null;
            online = _state.Online;
            status = _state.ToStatus();
            if (closed is not null)
            {
                lock (_drainLock)
                {
                    if (_manualWaiters.Count > 0)
                    {
                        toFail = [.. _manualWaiters];
                        _manualWaiters.Clear();
                    }
                }
            }
        }

        lock (_publishLock)
        {
            // Concurrent changes may publish out of order; only the newest snapshot goes out.
            if (version > _publishedVersion && Volatile.Read(ref _disposed) == 0)
            {
                _publishedVersion = version;
                _gateOpen.OnNext(gateOpen);
                try
                {
                    _online.OnNext(online);
                    _status.OnNext(status);
                }
                catch (Exception ex)
                {
                    // Status is state for the app: a subscriber that throws must not break the engine.
                    _logger.LogError(ex, "A subscriber of Status or IsOnline threw.");
                }
            }
        }

        toFail?.ForEach(w => w.TrySetException(closed!));
    }

    private sealed class EngineState
    {
        public bool NetworkKnown { get; set; }

        public bool Online { get; set; }

        public bool Paused { get; set; }

        public bool AutoSync { get; set; }

        public SyncError? AuthError { get; set; }

        public bool Syncing { get; set; }

        public DateTimeOffset? LastSyncTime { get; set; }

        public SyncError? LastError { get; set; }

        public required QueueStats Stats { get; set; }

        public OfflineStatus ToStatus() => new()
        {
            IsOnline = Online,
            IsSyncing = Syncing,
            PendingOperations = Stats.Pending + Stats.InFlight,
            FailedOperations = Stats.Failed,
            Conflicts = Stats.Conflict,
            LastSyncTime = LastSyncTime,
            IsPaused = Paused,
            AutoSyncEnabled = AutoSync,
            AuthenticationRequired = AuthError is not null,
            LastError = LastError,
        };
    }
}
