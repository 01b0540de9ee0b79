using System.Collections.Concurrent;
using System.Globalization;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Model;
using ReactiveSync.Storage;
using ReactiveSync.Transport;

namespace ReactiveSync.Conflicts;

/// <summary>
/// Settles conflicts the server answers to pushed operations (the seed's <c>ConflictResolutionManager</c>): picks the
/// strategy, applies it, and tells the sync pipeline what to do with the operation as a <see cref="ConflictDecision"/>.
/// Conflicts left for the user are persisted in the key-value store under <see cref="KeyPrefix"/> and survive a restart.
/// </summary>
/// <remarks>
/// <para>
/// Strategy choice, in order: a resolver registered for the resource type (<see cref="RegisterResolver"/>), then the
/// operation's own <see cref="OfflineOperation.ConflictResolution"/>, then <see cref="SyncConfiguration.StrategyFor"/>.
/// Before that, three rules hold for every strategy: an Upload or Download conflict is parked; a Delete against a
/// server delete is dropped (both sides agree); an operation that already conflicted more than
/// <see cref="SyncConfiguration.MaxConflictRetries"/> times is parked.
/// </para>
/// <para>Decisions per strategy ("Update" patches are merge patches against the server copy, sent against its version):</para>
/// <list type="table">
/// <listheader><term>strategy</term><description>Update vs server update · Update vs server delete · Delete vs server update · Delete vs server delete</description></listheader>
/// <item><term>ClientWins</term><description>Resend Update with the client's patch · Resend Create with base + patch (patch alone without a base copy) · Resend Delete · Drop</description></item>
/// <item><term>ServerWins</term><description>Drop (server copy) · Drop (deleted) · Drop (server copy) · Drop</description></item>
/// <item><term>LastModifiedWins</term><description>client time + offset later than the server's updatedAt: as ClientWins; otherwise (ties too, and no updatedAt): as ServerWins</description></item>
/// <item><term>Merge</term><description>Resend Update with the three-way merge's changes (fields both changed listed in ConflictingFields, client's value kept); without a base copy as ClientWins, noted · Resend Create as ClientWins · Resend Delete as ClientWins · Drop</description></item>
/// <item><term>PromptUser</term><description>Park · Park · Park · Drop</description></item>
/// <item><term>custom resolver</term><description>the returned document replaces the server copy: Resend Update with the patch to it (Drop when equal) · Resend Create with it · Resend Update with the patch to it · Drop (not called); null or a throw: Park</description></item>
/// </list>
/// <para>
/// A Create that conflicts (the resource exists) is handled like an Update whose fields are the whole document.
/// A recreated resource is sent as a Create with <see cref="ConflictDecision.Resend.BaseVersion"/> set to the
/// version of the server's delete. A computed patch that changes nothing becomes a Drop.
/// </para>
/// <para>
/// Streams: <see cref="Conflicts"/> emits every conflict when detected; <see cref="Decisions"/> emits every decision,
/// automatic or the app's, with the outcome on <see cref="SyncConflict.Strategy"/> and <see cref="SyncConflict.Note"/>.
/// Both emit synchronously on the thread that called <see cref="ResolveAsync"/> or <see cref="ResolveConflictAsync"/>;
/// observers must not block or throw. JSON in emitted conflicts is shared: treat it as read-only.
/// Thread-safe. <see cref="Dispose"/> completes the streams.
/// </para>
/// </remarks>
public sealed class ConflictResolutionManager : IDisposable
{
    /// <summary>The key prefix of parked conflicts in the key-value store; each is stored under the prefix plus its id.</summary>
    public const string KeyPrefix = "conflicts/";

    private readonly SyncConfiguration _configuration;
    private readonly IScheduler _scheduler;
    private readonly IKeyValueStore _store;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<ResourceType, ConflictResolver> _resolvers = new();
    private readonly Subject<SyncConflict> _conflictsSubject = new();
    private readonly Subject<ConflictDecision> _decisionsSubject = new();
    private readonly ISubject<SyncConflict> _conflicts;
    private readonly ISubject<ConflictDecision> _decisions;
    private readonly BehaviorSubject<IReadOnlyList<SyncConflict>> _pending = new([]);
    private readonly SemaphoreSlim _gate = new(1, 1);

    // Parked conflicts by id; null until loaded from the store. Written only under _gate.
    private Dictionary<Guid, SyncConflict>? _parked;
    private IReadOnlyList<SyncConflict> _snapshot = [];
    private int _disposed;

    /// <summary>Creates a manager; parked conflicts are read from <paramref name="store"/> on first use.</summary>
    /// <param name="configuration">Per-type strategies and <see cref="SyncConfiguration.MaxConflictRetries"/>.</param>
    /// <param name="scheduler">The clock for <see cref="SyncConflict.DetectedAt"/> and conflict ids.</param>
    /// <param name="store">Where parked conflicts are kept across restarts.</param>
    /// <param name="logger">Optional logger; payloads are never logged.</param>
    public ConflictResolutionManager(
        SyncConfiguration configuration,
        IScheduler scheduler,
        IKeyValueStore store,
        ILogger<ConflictResolutionManager>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(store);
        _configuration = configuration;
        _scheduler = scheduler;
        _store = store;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _conflicts = Subject.Synchronize(_conflictsSubject);
        _decisions = Subject.Synchronize(_decisionsSubject);
    }

    /// <summary>Every conflict, when detected, before it is resolved; <see cref="SyncConflict.Strategy"/> is the strategy chosen (null for a custom resolver).</summary>
    public IObservable<SyncConflict> Conflicts => _conflicts.AsObservable();

    /// <summary>
    /// Every decision taken, by <see cref="ResolveAsync"/> (Resend, Drop or Park) and by <see cref="ResolveConflictAsync"/>
    /// (Resend or Drop), with the conflict's strategy and note saying the outcome.
    /// </summary>
    public IObservable<ConflictDecision> Decisions => _decisions.AsObservable();

    /// <summary>
    /// The parked conflicts, oldest first as <see cref="GetPendingConflictsAsync"/> orders them: the current list on subscribe (after reading the store), then the list after
    /// every park or resolution. Fails with the store's exception if the store cannot be read.
    /// </summary>
    public IObservable<IReadOnlyList<SyncConflict>> PendingConflicts =>
        Observable.Create<IReadOnlyList<SyncConflict>>(async (observer, cancellationToken) =>
        {
            await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
            return _pending.DistinctUntilChanged().Subscribe(observer);
        });

    /// <summary>Registers the custom resolver for <paramref name="resourceType"/>, replacing any previous one; it takes precedence over every strategy.</summary>
    /// <exception cref="ArgumentException"><paramref name="resourceType"/> is the invalid default value.</exception>
    public void RegisterResolver(ResourceType resourceType, ConflictResolver resolver)
    {
        RequireValid(resourceType);
        ArgumentNullException.ThrowIfNull(resolver);
        _resolvers[resourceType] = resolver;
    }

    /// <summary>Removes the custom resolver for <paramref name="resourceType"/>; answers whether there was one.</summary>
    public bool UnregisterResolver(ResourceType resourceType)
    {
        RequireValid(resourceType);
        return _resolvers.TryRemove(resourceType, out _);
    }

    /// <summary>
    /// Decides what to do with <paramref name="operation"/>, whose push the server answered with
    /// <paramref name="conflictResult"/> (status Conflict). Emits the conflict on <see cref="Conflicts"/>, applies the
    /// strategy (see the table on the type), persists it when parked, emits the decision on <see cref="Decisions"/>, and
    /// returns it. A custom resolver that throws parks the conflict with the error on its note; it never drops the operation.
    /// </summary>
    /// <param name="operation">The operation that conflicted.</param>
    /// <param name="conflictResult">The server's answer: its version, copy, delete flag and updatedAt.</param>
    /// <param name="serverClockOffset">Server clock minus client clock, learned from the server's Date headers; corrects the client's edit time for LastModifiedWins.</param>
    /// <param name="attempt">How many times this operation already conflicted (0 the first time); above <see cref="SyncConfiguration.MaxConflictRetries"/> it is parked.</param>
    /// <param name="cancellationToken">Cancels before the decision is taken or while it is persisted.</param>
    /// <exception cref="ArgumentException">The result is not a conflict, or answers another operation.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is negative, or the operation's strategy is unknown.</exception>
    public async Task<ConflictDecision> ResolveAsync(
        OfflineOperation operation,
        PushResult conflictResult,
        TimeSpan serverClockOffset,
        int attempt,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(conflictResult);
        if (conflictResult.Status is not PushStatus.Conflict)
        {
            throw new ArgumentException($"Expected a result with status Conflict; got {conflictResult.Status}.", nameof(conflictResult));
        }

        if (conflictResult.OperationId != operation.Id)
        {
            throw new ArgumentException(
                $"The result answers operation {conflictResult.OperationId}, not {operation.Id}.", nameof(conflictResult));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(attempt);
        if (operation.ConflictResolution is { } own && !Enum.IsDefined(own))
        {
            throw new ArgumentOutOfRangeException(nameof(operation), own, "The operation's ConflictResolution is not a known strategy.");
        }

        ThrowIfDisposed();
        cancellationToken.ThrowIfCancellationRequested();

        _resolvers.TryGetValue(operation.ResourceType, out var resolver);
        ConflictResolutionStrategy? strategy = resolver is null
            ? operation.ConflictResolution ?? _configuration.StrategyFor(operation.ResourceType)
            : null;

        var now = _scheduler.Now;
        var conflict = new SyncConflict
        {
            Id = NewConflictId(now),
            OperationId = operation.Id,
            OperationType = operation.Type,
            ResourceType = operation.ResourceType,
            ResourceId = operation.ResourceId,
            ClientData = operation.Data?.DeepClone(),
            ServerData = conflictResult.ServerDeleted ? null : conflictResult.ServerData?.DeepClone(),
            BaseData = operation.BaseData?.DeepClone(),
            ServerVersion = conflictResult.Version,
            ServerUpdatedAt = conflictResult.ServerUpdatedAt,
            ClientTimestamp = operation.ClientTimestamp,
            ServerDeleted = conflictResult.ServerDeleted,
            DetectedAt = now,
            Strategy = strategy,
        };

        ConflictLog.Detected(_logger, conflict.Id, conflict.ResourceType, conflict.ResourceId, conflict.OperationId, conflict.OperationType);
        _conflicts.OnNext(conflict);

        var decision = await DecideAsync(conflict, resolver, strategy, serverClockOffset, attempt).ConfigureAwait(false);
        if (decision is ConflictDecision.Park park)
        {
            await ParkAsync(park.Conflict, cancellationToken).ConfigureAwait(false);
        }

        Publish(decision);
        return decision;
    }

    /// <summary>The parked conflicts, oldest first (<see cref="SyncConflict.DetectedAt"/>, ties by id), read from the store on first use.</summary>
    public async Task<IReadOnlyList<SyncConflict>> GetPendingConflictsAsync(CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        await EnsureLoadedAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _snapshot);
    }

    /// <summary>
    /// Settles a parked conflict as the app (or its user) chose, removes it from the pending conflicts and the store, and
    /// returns what the pipeline must do with the parked operation: a <see cref="ConflictDecision.Resend"/> (re-queue it
    /// with that type, data and base version) or a <see cref="ConflictDecision.Drop"/> (remove it; the replica takes the
    /// server copy). <see cref="ConflictResolution.UseClient"/> applies ClientWins, <see cref="ConflictResolution.UseServer"/>
    /// ServerWins, <see cref="ConflictResolution.UseData"/> makes the given document the server's copy. The decision is
    /// also emitted on <see cref="Decisions"/>, its conflict's strategy set to PromptUser.
    /// </summary>
    /// <exception cref="ConflictNotFoundException">No pending conflict has <paramref name="conflictId"/>.</exception>
    public async Task<ConflictDecision> ResolveConflictAsync(Guid conflictId, ConflictResolution resolution, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resolution);
        ThrowIfDisposed();

        ConflictDecision decision;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var parked = await LoadUnderGateAsync(cancellationToken).ConfigureAwait(false);
            if (!parked.TryGetValue(conflictId, out var conflict))
            {
                throw new ConflictNotFoundException(conflictId);
            }

            var byApp = conflict with { Strategy = ConflictResolutionStrategy.PromptUser };
            decision = resolution switch
            {
                ConflictResolution.UseClient => ConflictStrategies.ClientWins(byApp, "Resolved by the app (the client's change)"),
                ConflictResolution.UseServer => ConflictStrategies.ServerWins(byApp, "Resolved by the app (the server's copy)"),
                ConflictResolution.UseData useData => ConflictStrategies.UseDocument(byApp, useData.Data, "Resolved by the app (new data)"),
                _ => throw new ArgumentException($"Unknown resolution {resolution.GetType().Name}.", nameof(resolution)),
            };

            await _store.InvalidateAsync(Key(conflictId), cancellationToken).ConfigureAwait(false);
            parked.Remove(conflictId);
            PublishPending(parked);
        }
        finally
        {
            _gate.Release();
        }

        Publish(decision);
        return decision;
    }

    /// <summary>Completes <see cref="Conflicts"/>, <see cref="Decisions"/> and <see cref="PendingConflicts"/>. Idempotent.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _conflicts.OnCompleted();
        _decisions.OnCompleted();
        _pending.OnCompleted();
    }

    private async ValueTask<ConflictDecision> DecideAsync(
        SyncConflict conflict, ConflictResolver? resolver, ConflictResolutionStrategy? strategy, TimeSpan serverClockOffset, int attempt)
    {
        if (conflict.OperationType is not (OperationType.Create or OperationType.Update or OperationType.Delete))
        {
            return ConflictStrategies.Unsupported(conflict);
        }

        if (conflict.OperationType is OperationType.Delete && conflict.ServerDeleted)
        {
            return ConflictStrategies.BothDeleted(conflict);
        }

        if (attempt > _configuration.MaxConflictRetries)
        {
            return new ConflictDecision.Park(conflict with
            {
                Note = string.Create(
                    CultureInfo.InvariantCulture,
                    $"The operation conflicted {attempt + 1} times, more than MaxConflictRetries ({_configuration.MaxConflictRetries}) allows: the server keeps changing; parked until the app resolves it."),
            });
        }

        if (resolver is not null)
        {
            return await RunResolverAsync(resolver, conflict).ConfigureAwait(false);
        }

        return ConflictStrategies.Apply(strategy!.Value, conflict, serverClockOffset);
    }

    private async ValueTask<ConflictDecision> RunResolverAsync(ConflictResolver resolver, SyncConflict conflict)
    {
        JsonNode? document;
        try
        {
            // Copies, so the app's code cannot change the conflict we persist and emit.
            document = await resolver(conflict.ClientData?.DeepClone(), conflict.ServerData?.DeepClone(), conflict).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            // User code: any failure, even a cancellation it raised itself, parks the conflict rather than losing the change.
            ConflictLog.ResolverThrew(_logger, exception, conflict.ResourceType, conflict.Id);
            return new ConflictDecision.Park(conflict with
            {
                Note = $"The custom resolver threw {exception.GetType().Name}: {exception.Message} Parked until the app resolves it.",
            });
        }

        return document is null
            ? new ConflictDecision.Park(conflict with { Note = "The custom resolver returned null: parked until the app resolves it." })
            : ConflictStrategies.UseDocument(conflict, document, "Custom resolver");
    }

    private async Task ParkAsync(SyncConflict conflict, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var parked = await LoadUnderGateAsync(cancellationToken).ConfigureAwait(false);
            var json = JsonSerializer.Serialize(conflict, ConflictJsonContext.Default.SyncConflict);
            await _store.SetAsync(Key(conflict.Id), json, expiresAt: null, cancellationToken).ConfigureAwait(false);

            // One pending conflict per operation: a newer one replaces an older (written first, so a crash keeps one).
            var older = parked.Values.Where(p => p.OperationId == conflict.OperationId && p.Id != conflict.Id).Select(p => p.Id).ToList();
            foreach (var id in older)
            {
                await _store.InvalidateAsync(Key(id), cancellationToken).ConfigureAwait(false);
                parked.Remove(id);
            }

            parked[conflict.Id] = conflict;
            PublishPending(parked);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task EnsureLoadedAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _parked) is not null)
        {
            return;
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await LoadUnderGateAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<Dictionary<Guid, SyncConflict>> LoadUnderGateAsync(CancellationToken cancellationToken)
    {
        if (_parked is { } parked)
        {
            return parked;
        }

        var loaded = new Dictionary<Guid, SyncConflict>();
        var keys = await _store.GetKeysAsync(KeyPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var key in keys)
        {
            var json = await _store.GetAsync(key, cancellationToken).ConfigureAwait(false);
            if (json is null)
            {
                continue;
            }

            try
            {
                if (JsonSerializer.Deserialize(json, ConflictJsonContext.Default.SyncConflict) is { } conflict)
                {
                    loaded[conflict.Id] = conflict;
                }
            }
            catch (JsonException exception)
            {
                // Kept in the store for inspection; one bad entry must not hide the others.
                ConflictLog.UnreadableStoredConflict(_logger, exception, key);
            }
        }

        Volatile.Write(ref _parked, loaded);
        PublishPending(loaded);
        return loaded;
    }

    private void PublishPending(Dictionary<Guid, SyncConflict> parked)
    {
        IReadOnlyList<SyncConflict> snapshot = parked.Values.OrderBy(static c => c.DetectedAt).ThenBy(static c => c.Id).ToList();
        Volatile.Write(ref _snapshot, snapshot);
        if (Volatile.Read(ref _disposed) == 0)
        {
            _pending.OnNext(snapshot);
        }
    }

    private void Publish(ConflictDecision decision)
    {
        ConflictLog.Decided(_logger, decision.Conflict.Id, decision.GetType().Name, decision.Conflict.Note);
        _decisions.OnNext(decision);
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    // Time-ordered ids from the scheduler's clock; a virtual clock before 1970 (a fresh TestScheduler) gets random ones.
    private static Guid NewConflictId(DateTimeOffset now) =>
        now >= DateTimeOffset.UnixEpoch ? Guid.CreateVersion7(now) : Guid.NewGuid();

    private static string Key(Guid conflictId) => KeyPrefix + conflictId.ToString("D", CultureInfo.InvariantCulture);

    private static void RequireValid(ResourceType resourceType)
    {
        if (!resourceType.IsValid)
        {
            throw new ArgumentException("The resource type is the invalid default value.", nameof(resourceType));
        }
    }
}
