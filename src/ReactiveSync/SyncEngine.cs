using System.Collections.Concurrent;
using System.Reactive.Linq;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Conflicts;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Pipeline;
using ReactiveSync.Queue;
using ReactiveSync.Storage;
using ReactiveSync.Transport;

namespace ReactiveSync;

/// <summary>
/// The offline sync engine (the seed's <c>SyncEngine</c>): queues what the user did, durably, and pushes it to the server
/// when the network allows — on start-up, when the network comes back, when operations are queued (High and Critical at
/// once, others after <see cref="SyncConfiguration.QueueChangeDebounce"/>), every <see cref="SyncConfiguration.SyncInterval"/>
/// while online, when a retry falls due, and on <see cref="SyncNowAsync"/>. One sync runs at a time.
/// </summary>
/// <remarks>
/// Errors by kind: transient failures (network, 5xx, 429) are retried with backoff up to each operation's
/// <see cref="OfflineOperation.MaxRetries"/>, then the operation fails; an authentication failure pauses the queue
/// without using a retry and emits <see cref="AuthenticationRequired"/> until credentials are renewed; a rejected operation
/// fails with the server's message; a conflict is settled by <see cref="ConflictResolver"/> per the configured strategy,
/// emitted on <see cref="Conflicts"/>, and parked for the app when the strategy asks the user. A failed
/// operation blocks only later operations on its resource and its dependents. Every wait uses the configured scheduler.
/// </remarks>
public sealed class SyncEngine : IAsyncDisposable
{
    private readonly SyncPipeline _pipeline;
    private readonly ILogger _logger;
    private int _disposed;

    private SyncEngine(
        OperationQueue queue,
        SyncPipeline pipeline,
        ConflictResolutionManager conflictResolver,
        SyncConfiguration configuration,
        string clientId,
        ILogger logger)
    {
        OperationQueue = queue;
        ConflictResolver = conflictResolver;
        _pipeline = pipeline;
        Configuration = configuration;
        ClientId = clientId;
        _logger = logger;
    }

    /// <summary>The operation queue: stats, pages of operations by state, removing one operation.</summary>
    public OperationQueue OperationQueue { get; }

    /// <summary>
    /// The conflict resolution manager (seed: <c>conflictResolver</c>): register custom resolvers per resource type, read
    /// the conflicts parked for the user. Resolve them with <see cref="ResolveConflictAsync"/>.
    /// </summary>
    public ConflictResolutionManager ConflictResolver { get; }

    /// <summary>The validated configuration the engine runs with.</summary>
    public SyncConfiguration Configuration { get; }

    /// <summary>This device's id, sent with every push.</summary>
    public string ClientId { get; }

    /// <summary>
    /// The engine's events (<see cref="SyncStarted"/>, <see cref="SyncCompleted"/>, <see cref="SyncFailed"/>,
    /// <see cref="OperationQueued"/>, <see cref="ConflictDetected"/>, <see cref="StorageQuotaExceeded"/>,
    /// <see cref="NetworkStatusChanged"/>, <see cref="AuthenticationRequired"/>), serialized, on the thread that raised
    /// them. Hot: no replay. Completes when the engine is disposed.
    /// </summary>
    public IObservable<SyncEvent> Events => _pipeline.Events;

    /// <summary>Every conflict the server answered, with the strategy applied; parked ones wait in the queue's Conflict state.</summary>
    public IObservable<SyncConflict> Conflicts => _pipeline.Conflicts;

    /// <summary>Whether the server is reachable: replays the current value, skips duplicates.</summary>
    public IObservable<bool> IsOnline => _pipeline.IsOnline;

    /// <summary>
    /// What the app shows about sync: replays the current value, skips duplicates, never errors. Emits on the thread that
    /// changed it (often the queue's writer): do not block in it; observe it on your UI scheduler.
    /// </summary>
    public IObservable<OfflineStatus> Status => _pipeline.Status;

    /// <summary>The pipeline, for the engine's other components and tests.</summary>
    internal SyncPipeline Pipeline => _pipeline;

    /// <summary>
    /// Builds an engine: validates the configuration, opens the queue on the store (operations a crash left in flight
    /// become pending again, and so do operations parked in a conflict the key-value store no longer holds, so their
    /// conflict is detected again), subscribes to the network, and, if online and auto-sync is on, syncs what is pending.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> or one of its required ports is null.</exception>
    /// <exception cref="ArgumentException">The client id is empty or blank.</exception>
    /// <exception cref="SyncConfigurationException">The configuration is invalid; names the field.</exception>
    public static async Task<SyncEngine> CreateAsync(SyncEngineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.OperationStore is null)
        {
            throw new ArgumentNullException(nameof(options), "SyncEngineOptions.OperationStore is required.");
        }

        if (options.Transport is null)
        {
            throw new ArgumentNullException(nameof(options), "SyncEngineOptions.Transport is required.");
        }

        if (options.NetworkMonitor is null)
        {
            throw new ArgumentNullException(nameof(options), "SyncEngineOptions.NetworkMonitor is required.");
        }

        if (options.Scheduler is null)
        {
            throw new ArgumentNullException(nameof(options), "SyncEngineOptions.Scheduler is required.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new ArgumentException("SyncEngineOptions.ClientId must not be empty or blank.", nameof(options));
        }

        if (options.Configuration is null)
        {
            throw new ArgumentNullException(nameof(options), "SyncEngineOptions.Configuration is required.");
        }

        var configuration = options.Configuration.Validate();
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<SyncEngine>();
        var queue = await OperationQueue.OpenAsync(
            options.OperationStore, configuration, options.Scheduler, loggerFactory.CreateLogger<OperationQueue>(), cancellationToken)
            .ConfigureAwait(false);
        var keyValues = options.KeyValueStore ?? new InMemoryKeyValueStore(options.Scheduler);
        var conflictResolver = new ConflictResolutionManager(
            configuration, options.Scheduler, keyValues, loggerFactory.CreateLogger<ConflictResolutionManager>());
        SyncPipeline pipeline;
        try
        {
            await ResendOrphanedConflictsAsync(queue, conflictResolver, logger, cancellationToken).ConfigureAwait(false);
            pipeline = new SyncPipeline(
                queue,
                options.Transport,
                options.NetworkMonitor,
                options.AccessTokenProvider,
                configuration,
                options.Scheduler,
                options.ClientId,
                options.RandomUnit ?? Random.Shared.NextDouble,
                options.ConflictResolver ?? ResolveWith(conflictResolver, options.Transport),
                logger);
            pipeline.Start();
        }
        catch
        {
            conflictResolver.Dispose();
            await queue.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        return new SyncEngine(queue, pipeline, conflictResolver, configuration, options.ClientId, logger);
    }

    /// <summary>
    /// Queues an operation; completes once it is committed (durable). It may be folded into a pending, unsent operation
    /// on the same resource (see <see cref="OperationQueue.QueueOperationAsync"/>). High and Critical operations start a
    /// sync at once, others after the debounce, if auto-sync is on.
    /// </summary>
    /// <exception cref="ArgumentException">The request is invalid; ParamName names the field. Nothing is stored.</exception>
    public Task<OfflineOperation> QueueOperationAsync(OperationRequest request, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return OperationQueue.QueueOperationAsync(request, cancellationToken);
    }

    /// <summary>Queues an operation built from its parts; see <see cref="QueueOperationAsync(OperationRequest, CancellationToken)"/>.</summary>
    /// <param name="type">What the operation does.</param>
    /// <param name="resourceType">The kind of resource.</param>
    /// <param name="resourceId">The resource's id; null for a Create makes a new one.</param>
    /// <param name="data">The resource for a Create, a JSON merge patch for an Update, null for a Delete.</param>
    /// <param name="priority">How urgently it should be sent.</param>
    /// <param name="baseVersion">The server version the change was made against (Update, Delete), if known.</param>
    /// <param name="cancellationToken">Cancels the wait; the operation may still be stored.</param>
    /// <exception cref="ArgumentException">The operation is invalid; ParamName names the field. Nothing is stored.</exception>
    public Task<OfflineOperation> QueueOperationAsync(
        OperationType type,
        ResourceType resourceType,
        string? resourceId,
        JsonNode? data,
        SyncPriority priority = SyncPriority.Medium,
        long? baseVersion = null,
        CancellationToken cancellationToken = default) =>
        QueueOperationAsync(
            new OperationRequest
            {
                Type = type,
                ResourceType = resourceType,
                ResourceId = resourceId,
                Data = data,
                Priority = priority,
                BaseVersion = baseVersion,
            },
            cancellationToken);

    /// <summary>
    /// Syncs now, bypassing auto-sync (seed: <c>forceSyncNow</c>): if a sync is running, runs one more right after it.
    /// Answers that sync's result; a failure of the whole push shows in it (<see cref="SyncResult.Success"/> false), it is
    /// not thrown.
    /// </summary>
    /// <exception cref="SyncException">Offline (type Network), or waiting for renewed credentials (type Authentication).</exception>
    /// <exception cref="InvalidOperationException">Sync is paused (<see cref="Pause"/>); call <see cref="Resume"/> first.</exception>
    /// <exception cref="ObjectDisposedException">The engine was disposed, before or during the wait.</exception>
    /// <exception cref="OperationCanceledException">The wait was cancelled; the sync itself still runs.</exception>
    public Task<SyncResult> SyncNowAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _pipeline.SyncNowAsync(cancellationToken);
    }

    /// <summary>Makes every failed operation pending again with its retries reset, and syncs them (if auto-sync is on). Answers how many.</summary>
    public async Task<int> RetryFailedOperationsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var count = await OperationQueue.RetryFailedOperationsAsync(cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            _pipeline.RequestSync(SyncTrigger.QueueChanged);
        }

        return count;
    }

    /// <summary>
    /// Settles a conflict that was parked for the user (seed: <c>resolveConflict</c>): take the client's data, the server's,
    /// or new data. The operation is sent again against the server's version, or dropped, and a sync is asked for.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="resolution"/> is null.</exception>
    /// <exception cref="ConflictNotFoundException">No parked conflict has this id.</exception>
    public async Task ResolveConflictAsync(Guid conflictId, ConflictResolution resolution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        ThrowIfDisposed();
        var decision = await ConflictResolver.ResolveConflictAsync(conflictId, resolution, cancellationToken).ConfigureAwait(false);
        var operationId = decision.Conflict.OperationId;
        switch (decision)
        {
            case ConflictDecision.Resend resend:
                await OperationQueue.RequeueAsync(operationId, resend.Data, resend.BaseVersion, resend.Type, cancellationToken)
                    .ConfigureAwait(false);
                _pipeline.RequestSync(SyncTrigger.QueueChanged);
                break;
            case ConflictDecision.Drop:
                await OperationQueue.RemoveOperationAsync(operationId, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Removes every queued operation, whatever its state (the user gave them up). Answers how many there were.</summary>
    public Task<int> ClearOperationQueueAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return OperationQueue.ClearQueueAsync(cancellationToken);
    }

    /// <summary>
    /// Turns automatic syncing on or off (seed: <c>enableAutoSync</c>). While off, only <see cref="SyncNowAsync"/> syncs;
    /// turning it on syncs what is pending.
    /// </summary>
    public void EnableAutoSync(bool enabled)
    {
        ThrowIfDisposed();
        _pipeline.SetAutoSync(enabled);
    }

    /// <summary>
    /// Pauses syncing: no sync starts, and a running one stops after the batch in hand, until <see cref="Resume"/>.
    /// Operations can still be queued. <see cref="SyncNowAsync"/> throws while paused.
    /// </summary>
    public void Pause()
    {
        ThrowIfDisposed();
        _pipeline.Pause();
    }

    /// <summary>Resumes syncing after <see cref="Pause"/> and syncs what is pending (if auto-sync is on).</summary>
    public void Resume()
    {
        ThrowIfDisposed();
        _pipeline.Resume();
    }

    /// <summary>
    /// Tells the engine the app has new credentials (e.g. the user signed in again): ends the pause that followed an
    /// <see cref="AuthenticationRequired"/> event and syncs what is pending. Not needed when the token provider's
    /// <c>Renewed</c> stream emits, which does the same. Does nothing when not waiting for credentials.
    /// </summary>
    public void NotifyCredentialsRenewed()
    {
        ThrowIfDisposed();
        _pipeline.NotifyCredentialsRenewed();
    }

    /// <summary>
    /// Adds a listener (seed: <c>addSyncListener</c>); dispose the result to remove it. Callbacks run on the thread that raised
    /// the event, one at a time; an exception from one is logged and affects neither the engine nor other listeners.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="listener"/> is null.</exception>
    public IDisposable AddSyncListener(ISyncEventListener listener)
    {
        ArgumentNullException.ThrowIfNull(listener);
        ThrowIfDisposed();
        return Events.Subscribe(syncEvent => Dispatch(listener, syncEvent));
    }

    /// <summary>The status now, with the queue's counts read fresh (seed: <c>getOfflineStatus</c>).</summary>
    public async Task<OfflineStatus> GetOfflineStatusAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        var stats = await OperationQueue.GetQueueStatsAsync(cancellationToken).ConfigureAwait(false);
        return _pipeline.CurrentStatus with
        {
            PendingOperations = stats.Pending + stats.InFlight,
            FailedOperations = stats.Failed,
            Conflicts = stats.Conflict,
        };
    }

    /// <summary>
    /// Stops cleanly without losing anything: stops the triggers, cancels the running sync and waits for it (its batch
    /// goes back to pending; answers already received are recorded), puts anything in flight back to pending, completes
    /// the streams and closes the queue and its store. Safe to call twice.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _pipeline.DisposeAsync().ConfigureAwait(false);
        ConflictResolver.Dispose();
        await OperationQueue.DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Raises <see cref="StorageQuotaExceeded"/>; for the content download manager, which measures offline content.</summary>
    internal void ReportStorageQuotaExceeded(long usageBytes, long limitBytes) =>
        _pipeline.Emit(new StorageQuotaExceeded(usageBytes, limitBytes) { Timestamp = _pipeline.Now });

    /// <summary>Completes when no sync runs and none is asked for (tests: await between virtual-time steps).</summary>
    internal Task WhenIdleAsync() => _pipeline.WhenIdleAsync();

    /// <summary>
    /// Makes pending again every operation parked in the Conflict state whose conflict is no longer kept (a key-value store
    /// in memory forgets parked conflicts on restart; a crash can fall between forgetting a resolved conflict and re-queueing
    /// its operation). Left parked, such an operation would never be sent nor offered to the user; sent again, its conflict
    /// is detected again and settled by its strategy, so the app is asked again.
    /// </summary>
    private static async Task ResendOrphanedConflictsAsync(
        OperationQueue queue, ConflictResolutionManager conflicts, ILogger logger, CancellationToken cancellationToken)
    {
        const int PageSize = 500;
        HashSet<Guid> known;
        try
        {
            known = (await conflicts.GetPendingConflictsAsync(cancellationToken).ConfigureAwait(false))
                .Select(static c => c.OperationId)
                .ToHashSet();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Which conflicts are kept is unknown: leave every parked operation as it is rather than ask twice.
            logger.LogError(ex, "The parked conflicts could not be read; parked operations are left as they are.");
            return;
        }

        var orphans = new List<OfflineOperation>();
        for (var offset = 0; ; offset += PageSize)
        {
            var page = await queue.GetOperationsAsync(OperationState.Conflict, offset, PageSize, cancellationToken).ConfigureAwait(false);
            orphans.AddRange(page.Where(op => !known.Contains(op.Id)));
            if (page.Count < PageSize)
            {
                break;
            }
        }

        foreach (var op in orphans)
        {
            logger.LogWarning(
                "Operation {OperationId} on {ResourceType}/{ResourceId} was parked in a conflict that is no longer kept; sending it again.",
                op.Id, op.ResourceType, op.ResourceId);
            try
            {
                await queue.RequeueAsync(op.Id, op.Data, op.BaseVersion, op.Type, cancellationToken).ConfigureAwait(false);
            }
            catch (ArgumentException ex)
            {
                // E.g. data over a lowered size limit: it stays parked, visible in the queue, for the app to remove.
                logger.LogError(ex, "Operation {OperationId} cannot be sent again; it stays parked.", op.Id);
            }
        }
    }

    /// <summary>
    /// Adapts the conflict resolution manager to the drain. It counts the conflicts of each operation since it was last
    /// settled (in memory: a restart starts the count again), so a conflict that keeps recurring is parked for the user.
    /// </summary>
    private static ResolveConflict ResolveWith(ConflictResolutionManager manager, ISyncTransport transport)
    {
        var attempts = new ConcurrentDictionary<Guid, int>();
        return async (operation, conflict, cancellationToken) =>
        {
            var attempt = attempts.AddOrUpdate(operation.Id, 0, static (_, count) => count + 1);
            var answer = new PushResult
            {
                OperationId = operation.Id,
                Status = PushStatus.Conflict,
                Version = conflict.ServerVersion,
                ServerData = conflict.ServerData,
                ServerDeleted = conflict.ServerDeleted,
                ServerUpdatedAt = conflict.ServerUpdatedAt,
            };
            var decision = await manager.ResolveAsync(operation, answer, transport.ServerClockOffset, attempt, cancellationToken)
                .ConfigureAwait(false);
            if (decision is not ConflictDecision.Resend)
            {
                attempts.TryRemove(operation.Id, out _);
            }

            return decision;
        };
    }

    private void Dispatch(ISyncEventListener listener, SyncEvent syncEvent)
    {
        try
        {
            switch (syncEvent)
            {
                case SyncStarted:
                    listener.OnSyncStarted();
                    break;
                case SyncCompleted e:
                    listener.OnSyncCompleted(e.Result);
                    break;
                case SyncFailed e:
                    listener.OnSyncFailed(e.Error);
                    break;
                case OperationQueued e:
                    listener.OnOperationQueued(e.Operation);
                    break;
                case ConflictDetected e:
                    listener.OnConflictDetected(e.Conflict);
                    break;
                case StorageQuotaExceeded e:
                    listener.OnStorageQuotaExceeded(e.UsageBytes, e.LimitBytes);
                    break;
                case NetworkStatusChanged e:
                    listener.OnNetworkStatusChanged(e.IsOnline);
                    break;
                case AuthenticationRequired e:
                    listener.OnAuthenticationRequired(e.Error);
                    break;
            }
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A sync listener threw on {Event}; the engine goes on.", syncEvent.GetType().Name);
        }
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
