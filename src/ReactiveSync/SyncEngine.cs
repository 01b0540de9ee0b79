using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Background;
using ReactiveSync.Conflicts;
using ReactiveSync.Downloads;
using StorageQuotaExceeded = ReactiveSync.Events.StorageQuotaExceeded;
using ReactiveSync.Pull;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Pipeline;
using ReactiveSync.Queue;
using ReactiveSync.Status;
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
    // Where the key-value store keeps each operation's conflict count, and for how long after its last conflict.
    private const string ConflictCountKeyPrefix = "conflict-count/";
    private static readonly TimeSpan ConflictCountLifetime = TimeSpan.FromDays(7);

    private readonly SyncPipeline _pipeline;
    private readonly ILogger _logger;
    private IDisposable? _quotaSubscription;
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

    /// <summary>The replica of server resources and its pull: what the server held when last pulled.</summary>
    public ReplicaSynchronizer Replica { get; private init; } = null!;

    /// <summary>
    /// What the app shows: the replica with the pending local operations applied on top, so a pulled change never hides an
    /// unsent edit. <c>Resources.Connect(resourceType)</c> is a live view; <c>GetAsync</c> reads one resource.
    /// </summary>
    public LocalResources Resources { get; private init; } = null!;

    /// <summary>
    /// The content download manager (seed: <c>downloadManager</c>): progress per resource, storage usage, cleanup, a view of
    /// downloads. Null unless <see cref="SyncEngineOptions.ContentSource"/> and <see cref="SyncEngineOptions.ContentRoot"/> were given.
    /// </summary>
    public ContentDownloadManager? DownloadManager { get; private set; }

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
    /// The status monitor (seed: <c>statusMonitor</c>): <see cref="OfflineStatusMonitor.Status"/>,
    /// <see cref="OfflineStatusMonitor.StatusMessage"/>, <see cref="OfflineStatusMonitor.GetStatusMessage"/> and
    /// <see cref="OfflineStatusMonitor.GetSyncMetrics"/>, kept across restarts in <see cref="SyncEngineOptions.KeyValueStore"/>.
    /// </summary>
    public OfflineStatusMonitor StatusMonitor { get; private init; } = null!;

    /// <summary>
    /// The operations that need attention or are on their way (Failed, Conflict, InFlight) as an observable cache:
    /// <c>ProblemOperations.Connect()</c>. Loaded from the store at start, then kept current from the queue's changes.
    /// </summary>
    public ProblemOperationsView ProblemOperations { get; private init; } = null!;

    /// <summary>The conflicts parked for the user as an observable cache: <c>PendingConflicts.Connect()</c>.</summary>
    public PendingConflictsView PendingConflicts { get; private init; } = null!;

    /// <summary>
    /// The background sync service (seed: <c>backgroundSync</c>: <c>UpdateConfiguration</c>, <c>ScheduleTaskAsync</c>), or null
    /// when no <see cref="SyncEngineOptions.DeviceStateMonitor"/> was given. Its tasks run in this engine: Sync syncs now
    /// (offline or paused it fails and backs off), Download takes a JSON array of resource ids in its data, Cleanup removes
    /// failed downloads. While its <see cref="BackgroundSyncConfiguration.PeriodicSyncEnabled"/> is on, its periodic sync
    /// (battery-, network- and background-aware) replaces the engine's own <see cref="SyncConfiguration.SyncInterval"/>
    /// trigger, so the two never both sync on a timer; the other triggers (start-up, network back, queue changes, retries)
    /// are unchanged, and the periodic sync is skipped while auto-sync is off.
    /// </summary>
    public BackgroundSyncService? BackgroundSync { get; private set; }

    /// <summary>What a background Cleanup task runs (the download manager removes failed downloads); none: nothing to clean.</summary>
    internal Func<CancellationToken, Task>? BackgroundCleanup { get; set; }

    /// <summary>What a background Download task runs with its resource ids and priority; none: the task fails and backs off.</summary>
    internal Func<IReadOnlyList<string>, SyncPriority, CancellationToken, Task>? BackgroundDownload { get; set; }

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
        var backgroundConfiguration = BackgroundConfigurationFor(options, configuration);
        var loggerFactory = options.LoggerFactory ?? NullLoggerFactory.Instance;
        var logger = loggerFactory.CreateLogger<SyncEngine>();
        var queue = await OperationQueue.OpenAsync(
            options.OperationStore, configuration, options.Scheduler, loggerFactory.CreateLogger<OperationQueue>(), cancellationToken)
            .ConfigureAwait(false);
        var keyValues = options.KeyValueStore ?? new InMemoryKeyValueStore(options.Scheduler);
        var conflictResolver = new ConflictResolutionManager(
            configuration, options.Scheduler, keyValues, loggerFactory.CreateLogger<ConflictResolutionManager>());
        var replica = new ReplicaSynchronizer(
            options.Transport,
            options.ReplicaStore ?? new InMemoryReplicaStore(),
            configuration,
            options.Scheduler,
            loggerFactory.CreateLogger<ReplicaSynchronizer>());
        var hooks = new ReplicaDrainHooks(new ContentUploader(options.Transport), replica, configuration, options.Scheduler);
        SyncPipeline pipeline;
        OfflineStatusMonitor? statusMonitor = null;
        ProblemOperationsView? problemOperations = null;
        PendingConflictsView? pendingConflicts = null;
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
                options.ConflictResolver ?? ResolveWith(conflictResolver, options.Transport, keyValues, options.Scheduler),
                logger,
                hooks);
            statusMonitor = await OfflineStatusMonitor.CreateAsync(
                pipeline.Status, pipeline.Events, keyValues, loggerFactory.CreateLogger<OfflineStatusMonitor>(), cancellationToken)
                .ConfigureAwait(false);
            problemOperations = ProblemOperationsView.Start(queue, loggerFactory.CreateLogger<ProblemOperationsView>());
            pendingConflicts = PendingConflictsView.Start(conflictResolver, loggerFactory.CreateLogger<PendingConflictsView>());
            pipeline.Start();
        }
        catch
        {
            problemOperations?.Dispose();
            pendingConflicts?.Dispose();
            if (statusMonitor is not null)
            {
                await statusMonitor.DisposeAsync().ConfigureAwait(false);
            }

            conflictResolver.Dispose();
            await queue.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        // Little runs between the pipeline's start and the return, so a caller subscribing to Events at once sees the start-up sync.
        var engine = new SyncEngine(queue, pipeline, conflictResolver, configuration, options.ClientId, logger)
        {
            StatusMonitor = statusMonitor,
            ProblemOperations = problemOperations,
            PendingConflicts = pendingConflicts,
            Replica = replica,
            Resources = new LocalResources(replica.Replica, queue, loggerFactory.CreateLogger<LocalResources>()),
        };
        await engine.StartDownloadsAsync(options, loggerFactory, cancellationToken).ConfigureAwait(false);
        if (options.DeviceStateMonitor is { } device)
        {
            await engine.StartBackgroundSyncAsync(device, options.Scheduler, backgroundConfiguration!, keyValues, loggerFactory, cancellationToken)
                .ConfigureAwait(false);
        }

        return engine;
    }

    /// <summary>
    /// Queues an operation; completes once it is committed (durable). It may be folded into a pending, unsent operation
    /// on the same resource (see <see cref="OperationQueue.QueueOperationAsync"/>). High and Critical operations start a
    /// sync at once, others after the debounce, if auto-sync is on.
    /// </summary>
    /// <exception cref="ArgumentException">The request is invalid; ParamName names the field. Nothing is stored.</exception>
    /// <exception cref="SyncException">The store could not write (type <see cref="SyncErrorType.Storage"/>, e.g. the disk is full). Nothing of this request is stored; what was queued before stays.</exception>
    public async Task<OfflineOperation> QueueOperationAsync(OperationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ThrowIfDisposed();
        return await OperationQueue.QueueOperationAsync(await WithBaseAsync(request, cancellationToken).ConfigureAwait(false), cancellationToken)
            .ConfigureAwait(false);
    }

    /// <summary>
    /// Downloads resources' content for offline use (seed: <c>downloadForOffline</c>), taking url and size from the replica;
    /// completes once the downloads are recorded, not finished (watch <see cref="ContentDownloadManager.Progress"/>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The engine was built without a content source.</exception>
    public Task<IReadOnlyList<DownloadRecord>> DownloadForOfflineAsync(
        IEnumerable<string> resourceIds, SyncPriority priority = SyncPriority.Medium, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        ThrowIfDisposed();
        return RequireDownloads().DownloadForOfflineAsync(resourceIds, priority, cancellationToken);
    }

    /// <summary>Removes downloaded content, files and rows (seed: <c>removeOfflineContent</c>); answers how many were removed.</summary>
    /// <exception cref="InvalidOperationException">The engine was built without a content source.</exception>
    public Task<int> RemoveOfflineContentAsync(IEnumerable<string> resourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        ThrowIfDisposed();
        return RequireDownloads().RemoveOfflineContentAsync(resourceIds, cancellationToken);
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

        BackgroundSync?.Dispose();
        _quotaSubscription?.Dispose();
        if (DownloadManager is not null)
        {
            await DownloadManager.DisposeAsync().ConfigureAwait(false);
        }

        await _pipeline.DisposeAsync().ConfigureAwait(false);
        await DisposeStatusAsync().ConfigureAwait(false);
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
    /// settled, so a conflict that keeps recurring is parked for the user. The count is kept in the key-value store, so a
    /// restart does not start it again, and expires a week after the last conflict, so counts of operations that were
    /// resent and then applied do not pile up.
    /// </summary>
    private static ResolveConflict ResolveWith(
        ConflictResolutionManager manager, ISyncTransport transport, IKeyValueStore keyValues, IScheduler scheduler)
    {
        return async (operation, conflict, cancellationToken) =>
        {
            var key = ConflictCountKeyPrefix + operation.Id.ToString("N");
            var attempt = await keyValues.GetObjectAsync<int>(key, cancellationToken: cancellationToken).ConfigureAwait(false);
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
            if (decision is ConflictDecision.Resend)
            {
                await keyValues.InsertObjectAsync(key, attempt + 1, expiresAt: scheduler.Now + ConflictCountLifetime, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await keyValues.InvalidateAsync(key, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// The background configuration the engine runs with: null without a device monitor; by default the library's, with the
    /// foreground interval of <paramref name="configuration"/>. Validated here, before anything is opened.
    /// </summary>
    private static BackgroundSyncConfiguration? BackgroundConfigurationFor(SyncEngineOptions options, SyncConfiguration configuration)
    {
        if (options.DeviceStateMonitor is null)
        {
            return null;
        }

        if (options.BackgroundSyncConfiguration is { } given)
        {
            return given.Validate();
        }

        var defaults = BackgroundSyncConfiguration.Default;
        return (defaults with
        {
            SyncInterval = configuration.SyncInterval,
            BackgroundSyncInterval = configuration.SyncInterval > defaults.BackgroundSyncInterval ? configuration.SyncInterval : defaults.BackgroundSyncInterval,
        }).Validate();
    }

    /// <summary>Opens the download manager when the options give a content source and a content root.</summary>
    private async Task StartDownloadsAsync(SyncEngineOptions options, ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        if (options.ContentSource is not { } source || options.ContentRoot is not { } contentRoot)
        {
            return;
        }

        try
        {
            var downloads = await ContentDownloadManager.OpenAsync(
                source,
                options.DownloadStore ?? new InMemoryDownloadStore(),
                contentRoot,
                Configuration,
                options.Scheduler,
                options.NetworkMonitor,
                Replica.Replica,
                options.DeviceStateMonitor,
                loggerFactory.CreateLogger<ContentDownloadManager>(),
                cancellationToken).ConfigureAwait(false);
            DownloadManager = downloads;
            _quotaSubscription = downloads.QuotaExceeded.Subscribe(e => ReportStorageQuotaExceeded(e.Usage, e.Limit));
            BackgroundCleanup = async ct => await downloads.CleanupFailedDownloadsAsync(ct).ConfigureAwait(false);
            BackgroundDownload = async (ids, priority, ct) =>
                await downloads.DownloadForOfflineAsync(ids, priority, ct).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Builds and starts the background service over this engine; on failure disposes the engine.</summary>
    private async Task StartBackgroundSyncAsync(
        IDeviceStateMonitor device,
        System.Reactive.Concurrency.IScheduler scheduler,
        BackgroundSyncConfiguration configuration,
        IKeyValueStore keyValues,
        ILoggerFactory loggerFactory,
        CancellationToken cancellationToken)
    {
        try
        {
            var work = new EngineBackgroundWork(this, loggerFactory.CreateLogger<EngineBackgroundWork>());
            var service = new BackgroundSyncService(
                device, keyValues, scheduler, work.RunAsync, configuration, loggerFactory.CreateLogger<BackgroundSyncService>());
            BackgroundSync = service;
            _pipeline.SuppressIntervalTrigger = () => service.Configuration.PeriodicSyncEnabled;
            await service.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async ValueTask DisposeStatusAsync()
    {
        ProblemOperations?.Dispose();
        PendingConflicts?.Dispose();
        if (StatusMonitor is not null)
        {
            await StatusMonitor.DisposeAsync().ConfigureAwait(false);
        }
    }

    private ContentDownloadManager RequireDownloads() =>
        DownloadManager ?? throw new InvalidOperationException(
            "Downloads need SyncEngineOptions.ContentSource and SyncEngineOptions.ContentRoot when the engine is built.");

    /// <summary>
    /// An Update or Delete queued without a base version is made against what the replica holds, so the server can detect
    /// a conflict and a merge has its base copy (the architecture's "taken from the replica when the operation is queued").
    /// </summary>
    private async Task<OperationRequest> WithBaseAsync(OperationRequest request, CancellationToken cancellationToken)
    {
        if (request.Type is not (OperationType.Update or OperationType.Delete)
            || request.BaseVersion is not null
            || string.IsNullOrEmpty(request.ResourceId)
            || !request.ResourceType.IsValid)
        {
            return request;
        }

        // Behind an unsent local change the replica's version is already stale: the earlier operation will move the server
        // on, and this one would conflict with its own predecessor. It is then sent without a base (a blind write).
        var local = await Resources.GetAsync(request.ResourceType, request.ResourceId, cancellationToken).ConfigureAwait(false);
        if (local is { HasPendingChanges: true })
        {
            return request;
        }

        var known = await Resources.GetBaseAsync(request.ResourceType, request.ResourceId, cancellationToken).ConfigureAwait(false);
        return known is null
            ? request
            : request with { BaseVersion = known.Version, BaseData = request.BaseData ?? known.Data };
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
}
