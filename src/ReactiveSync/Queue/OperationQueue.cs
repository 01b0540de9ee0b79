using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// The durable, priority-ordered queue of offline operations (the seed's <c>OperationQueue</c>) over an
/// <see cref="IOperationStore"/>. Every write is committed before its task completes; concurrent writes share one
/// transaction (group commit). Rules that decide behaviour (validation, coalescing, batch selection) live here, so
/// every store behaves the same.
/// </summary>
/// <remarks>
/// All writes are serialized through one writer; reads go to the store directly and see committed data.
/// <see cref="Stats"/>, <see cref="Queued"/> and <see cref="Changes"/> emit on the writer after each commit, one
/// call at a time: subscribers must not block. The queue owns the store and disposes it.
/// </remarks>
public sealed class OperationQueue : IAsyncDisposable
{
    /// <summary>The most work items gathered into one transaction.</summary>
    internal const int MaxGroupSize = 1024;

    private const int RecoveryPage = 1000;

    private readonly IOperationStore _store;
    private readonly SyncConfiguration _configuration;
    private readonly IScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly Channel<WorkItem> _channel = Channel.CreateUnbounded<WorkItem>(new UnboundedChannelOptions { SingleReader = true });
    private readonly BatchSelector _selector = new();
    private readonly QueueStatsCounter _counter = new();
    private readonly object _counterGate = new();
    private readonly BehaviorSubject<QueueStats> _stats;
    private readonly Subject<OfflineOperation> _queued = new();
    private readonly Subject<OperationChange> _changes = new();
    private readonly Subject<IReadOnlyList<OperationChange>> _changeBatches = new();
    private Task _writer = Task.CompletedTask;
    private int _disposed;
    private long _commits;
    private long _committedItems;

    private OperationQueue(IOperationStore store, SyncConfiguration configuration, IScheduler scheduler, ILogger logger)
    {
        _store = store;
        _configuration = configuration;
        _scheduler = scheduler;
        _logger = logger;
        _stats = new BehaviorSubject<QueueStats>(QueueStats.Empty);
        Stats = _stats.DistinctUntilChanged().AsObservable();
        Queued = _queued.AsObservable();
        Changes = _changes.AsObservable();
        ChangeBatches = _changeBatches.AsObservable();
    }

    /// <summary>Transactions committed (or attempted) by the writer, and the work items in them: their ratio is the average group size.</summary>
    internal (long Commits, long Items) GroupCommitCounts => (Interlocked.Read(ref _commits), Interlocked.Read(ref _committedItems));

    /// <summary>The current stats on subscribe, then after every commit that changed them. Never errors; completes on dispose.</summary>
    public IObservable<QueueStats> Stats { get; }

    /// <summary>Each operation queued (or updated by coalescing) after its commit. Cancelled Create+Delete pairs emit nothing here.</summary>
    public IObservable<OfflineOperation> Queued { get; }

    /// <summary>Every committed change to an operation (added, updated with its new state, removed, or the whole queue cleared).</summary>
    public IObservable<OperationChange> Changes { get; }

    /// <summary>The changes of <see cref="Changes"/>, one list per commit, for views that apply them as one edit (a drained batch is one commit).</summary>
    internal IObservable<IReadOnlyList<OperationChange>> ChangeBatches { get; }

    /// <summary>
    /// Opens <paramref name="store"/>, turns operations left in flight by a crash back into pending ones (the server's
    /// idempotency makes the resend safe), loads the counts and starts the writer.
    /// </summary>
    /// <exception cref="SyncConfigurationException">The configuration is invalid.</exception>
    public static async Task<OperationQueue> OpenAsync(
        IOperationStore store,
        SyncConfiguration configuration,
        IScheduler scheduler,
        ILogger<OperationQueue>? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(scheduler);
        configuration.Validate();

        var queue = new OperationQueue(store, configuration, scheduler, (ILogger?)logger ?? NullLogger.Instance);
        await store.OpenAsync(cancellationToken).ConfigureAwait(false);
        var recovered = 0;
        while (true)
        {
            var page = await store.WriteAsync(
                tx =>
                {
                    var inFlight = tx.GetByState(OperationState.InFlight, RecoveryPage);
                    foreach (var op in inFlight)
                    {
                        tx.Update(op, op with { State = OperationState.Pending });
                    }

                    return inFlight.Count;
                },
                cancellationToken).ConfigureAwait(false);
            recovered += page;
            if (page < RecoveryPage)
            {
                break;
            }
        }

        if (recovered > 0)
        {
            queue._logger.LogInformation("Recovered {Count} operations left in flight; they are pending again.", recovered);
        }

        queue._counter.Load(await store.GetCountsAsync(cancellationToken).ConfigureAwait(false));
        queue._counter.OldestPendingCreatedAt = await store.GetOldestPendingCreatedAtAsync(cancellationToken).ConfigureAwait(false);
        queue._stats.OnNext(queue._counter.Snapshot(scheduler.Now));
        queue._writer = Task.Run(queue.WriteLoopAsync, CancellationToken.None);
        return queue;
    }

    /// <summary>
    /// Validates and queues one operation; completes once it is committed. Coalescing may fold it into a pending,
    /// unsent operation on the same resource: the result is then that surviving operation; for a Delete that cancels
    /// a Create, it is the request as it would have been stored (nothing is stored; use <see cref="QueueAsync"/> to tell).
    /// </summary>
    /// <exception cref="ArgumentException">The request is invalid; ParamName names the field. Nothing is stored.</exception>
    /// <exception cref="SyncException">The store could not write (type <see cref="SyncErrorType.Storage"/>, e.g. the disk is full). Nothing of this request is stored; what was queued before stays.</exception>
    public async Task<OfflineOperation> QueueOperationAsync(OperationRequest request, CancellationToken cancellationToken = default) =>
        (await QueueAsync(request, cancellationToken).ConfigureAwait(false)).Operation;

    /// <summary>Like <see cref="QueueOperationAsync"/>, and also says whether the request was added, coalesced or cancelled out.</summary>
    /// <exception cref="ArgumentException">The request is invalid; ParamName names the field. Nothing is stored.</exception>
    public async Task<QueueResult> QueueAsync(OperationRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var results = await QueueCoreAsync([request], single: true, cancellationToken).ConfigureAwait(false);
        return results[0];
    }

    /// <summary>
    /// Validates and queues many operations in one commit, all or nothing (for imports). A request may depend on one
    /// before it in the same call. Answers one operation per request, in order, as <see cref="QueueOperationAsync"/> does.
    /// </summary>
    /// <exception cref="ArgumentException">A request is invalid; ParamName names the field and the message its index. Nothing is stored.</exception>
    public async Task<IReadOnlyList<OfflineOperation>> QueueOperationsAsync(IReadOnlyList<OperationRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        if (requests.Count == 0)
        {
            return [];
        }

        var results = await QueueCoreAsync(requests, single: false, cancellationToken).ConfigureAwait(false);
        return results.Select(r => r.Operation).ToList();
    }

    /// <summary>
    /// Takes up to <paramref name="maxCount"/> eligible operations and marks them in flight (last attempt now, ever sent).
    /// Eligible: pending, due, no earlier operation on the same resource still stored, no dependency still stored.
    /// Order: Critical first, then High, Medium and Low by weighted share (<see cref="SyncConfiguration.PriorityWeights"/>),
    /// first-in first-out within a priority.
    /// </summary>
    public Task<IReadOnlyList<OfflineOperation>> TakeBatchAsync(int maxCount, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        return EnqueueAsync(scope => Take(scope, maxCount), cancellationToken, resendable: true);
    }

    /// <summary>Removes operations the server acknowledged. Ids no longer stored are ignored. Answers how many were removed.</summary>
    public Task<int> CompleteAsync(IReadOnlyCollection<Guid> operationIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationIds);
        var ids = operationIds.Distinct().ToArray();
        // A durable store may commit this without an fsync when every operation removed may have been sent: losing the
        // removal in a power cut brings them back, and the server answers their resend 'duplicate'.
        return EnqueueAsync(scope => ids.Length == 0 ? 0 : scope.DeleteMany(ids), cancellationToken, resendable: true);
    }

    /// <summary>
    /// Removes operations the server acknowledged, as the drain holds them (taken from this queue, so the store need not
    /// read them back), then takes the next batch as <see cref="TakeBatchAsync"/> does, in one write and so one commit:
    /// a drain's step while its next push is on the wire. Not cancellable once queued, so the acknowledgements are
    /// recorded even when the drain is being cancelled; the caller releases what was taken. <see cref="Changes"/> emits
    /// the removed operations as given (an upload as pushed, without its local file path).
    /// </summary>
    internal Task<IReadOnlyList<OfflineOperation>> CompleteAndTakeBatchAsync(IReadOnlyList<OfflineOperation> completed, int maxCount)
    {
        ArgumentNullException.ThrowIfNull(completed);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxCount, 1);
        var distinct = completed.DistinctBy(op => op.Id).ToArray();
        return EnqueueAsync<IReadOnlyList<OfflineOperation>>(
            scope =>
            {
                if (distinct.Length > 0)
                {
                    scope.DeleteKnown(distinct);
                }

                return Take(scope, maxCount);
            },
            CancellationToken.None,
            resendable: true);
    }

    /// <summary>Selects the next batch and marks it in flight, inside a write.</summary>
    private IReadOnlyList<OfflineOperation> Take(WriteScope scope, int maxCount)
    {
        var now = _scheduler.Now;
        var selected = _selector.Select(scope.Transaction, maxCount, now, _configuration.PriorityWeights);
        // One set-based write. A durable store may commit it without an fsync (see MarkInFlight): the mark is
        // undone by recovery on open anyway, and coalescing asks MayHaveBeenSent, which the store keeps durable.
        return selected.Count == 0 ? [] : scope.MarkInFlight(selected, now);
    }

    /// <summary>
    /// Schedules another attempt: retry count + 1, pending, due at <paramref name="dueAt"/>, with the error kept.
    /// Answers false when the operation is no longer stored (e.g. removed meanwhile).
    /// </summary>
    public Task<bool> ScheduleRetryAsync(Guid operationId, DateTimeOffset dueAt, SyncError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ChangeAsync(
            operationId,
            op => op with
            {
                State = OperationState.Pending,
                RetryCount = op.RetryCount + 1,
                ScheduledAt = dueAt,
                ErrorMessage = error.Message,
                ErrorType = error.Type,
            },
            cancellationToken);
    }

    /// <summary>Marks an operation failed for good, keeping the error; it stays until retried or removed. Answers false when it is no longer stored.</summary>
    public Task<bool> FailAsync(Guid operationId, SyncError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ChangeAsync(operationId, op => op with { State = OperationState.Failed, ErrorMessage = error.Message, ErrorType = error.Type }, cancellationToken);
    }

    /// <summary>Parks an operation in a conflict that waits for the app or the user. Answers false when it is no longer stored.</summary>
    public Task<bool> ParkConflictAsync(Guid operationId, SyncError error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        return ChangeAsync(operationId, op => op with { State = OperationState.Conflict, ErrorMessage = error.Message, ErrorType = error.Type }, cancellationToken);
    }

    /// <summary>
    /// Puts in-flight operations back to pending unchanged (authentication pause, cancelled push): no retry is used.
    /// Operations not in flight are left alone. Answers how many were released.
    /// </summary>
    public Task<int> ReleaseAsync(IReadOnlyCollection<Guid> operationIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operationIds);
        var ids = operationIds.ToArray();
        return EnqueueAsync(
            scope =>
            {
                var released = 0;
                foreach (var id in ids)
                {
                    if (scope.Transaction.Get(id) is { State: OperationState.InFlight } op)
                    {
                        scope.Update(op, op with { State = OperationState.Pending });
                        released++;
                    }
                }

                return released;
            },
            cancellationToken);
    }

    /// <summary>
    /// Re-queues an operation after its conflict was resolved: new data and base version (and type, e.g. Update to
    /// Create when the server deleted the resource), pending and due now, error cleared. It keeps its sequence, so its
    /// place before later operations on the resource. Answers false when it is no longer stored.
    /// </summary>
    /// <exception cref="ArgumentException">The type is undefined, data is missing for a Create or Update, or too large.</exception>
    public Task<bool> RequeueAsync(
        Guid operationId, JsonNode? data, long? baseVersion, OperationType? type = null, CancellationToken cancellationToken = default)
    {
        var copy = data?.DeepClone();
        return ChangeAsync(
            operationId,
            op =>
            {
                var newType = type ?? op.Type;
                OperationValidator.ValidateRequeue(newType, copy, baseVersion, _configuration);
                return op with
                {
                    Type = newType,
                    Data = copy,
                    BaseVersion = baseVersion,
                    State = OperationState.Pending,
                    ScheduledAt = _scheduler.Now,
                    ErrorMessage = null,
                    ErrorType = null,
                };
            },
            cancellationToken);
    }

    /// <summary>Gets one operation, or null when it is not stored.</summary>
    public Task<OfflineOperation?> GetOperationAsync(Guid operationId, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _store.GetAsync(operationId, cancellationToken);
    }

    /// <summary>Gets a page of the operations in <paramref name="state"/>, highest priority first, then in queue order (sequence).</summary>
    public Task<IReadOnlyList<OfflineOperation>> GetOperationsAsync(OperationState state, int offset, int limit, CancellationToken cancellationToken = default)
    {
        if (!Enum.IsDefined(state))
        {
            throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown state.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        ThrowIfDisposed();
        return _store.GetByStateAsync(state, offset, limit, cancellationToken);
    }

    /// <summary>
    /// The next time a pending operation becomes due, strictly later than the scheduler's now (a scheduled retry),
    /// or null when none waits; the pipeline arms its 'retry due' timer with it. Operations already due are not
    /// reported: take them with <see cref="TakeBatchAsync"/>.
    /// </summary>
    public Task<DateTimeOffset?> GetNextDueTimeAsync(CancellationToken cancellationToken = default) =>
        GetNextDueTimeAsync(_scheduler.Now, cancellationToken);

    /// <summary>
    /// The earliest time, strictly later than <paramref name="after"/>, at which a pending operation becomes due, or null
    /// when none does. The answer may already be past: a caller that last took a batch at <paramref name="after"/> has
    /// not seen the operations that fell due since.
    /// </summary>
    public Task<DateTimeOffset?> GetNextDueTimeAsync(DateTimeOffset after, CancellationToken cancellationToken = default)
    {
        ThrowIfDisposed();
        return _store.GetNextScheduledAfterAsync(after, cancellationToken);
    }

    /// <summary>The current stats, with the oldest pending age measured now. Reads no rows: counts are kept up to date by the writer.</summary>
    public Task<QueueStats> GetQueueStatsAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfDisposed();
        lock (_counterGate)
        {
            return Task.FromResult(_counter.Snapshot(_scheduler.Now));
        }
    }

    /// <summary>Turns every failed operation into a pending one, due now, with its retry count reset. Answers how many.</summary>
    public Task<int> RetryFailedOperationsAsync(CancellationToken cancellationToken = default) =>
        EnqueueAsync(
            scope =>
            {
                var now = _scheduler.Now;
                var count = 0;
                while (true)
                {
                    var failed = scope.Transaction.GetByState(OperationState.Failed, RecoveryPage);
                    foreach (var op in failed)
                    {
                        scope.Update(op, op with { State = OperationState.Pending, RetryCount = 0, ScheduledAt = now });
                    }

                    count += failed.Count;
                    if (failed.Count < RecoveryPage)
                    {
                        return count;
                    }
                }
            },
            cancellationToken);

    /// <summary>Removes one operation whatever its state (the user gave it up). Answers whether it was stored.</summary>
    public Task<bool> RemoveOperationAsync(Guid operationId, CancellationToken cancellationToken = default) =>
        EnqueueAsync(scope => scope.Transaction.Get(operationId) is { } op && scope.Delete(op), cancellationToken);

    /// <summary>Removes every operation. Answers how many there were. <see cref="Changes"/> emits one <see cref="OperationChangeKind.Cleared"/>.</summary>
    public Task<int> ClearQueueAsync(CancellationToken cancellationToken = default) =>
        EnqueueAsync(scope => scope.DeleteAll(), cancellationToken);

    /// <summary>Stops the writer after the writes already queued, completes the observables and disposes the store. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _channel.Writer.TryComplete();
        await _writer.ConfigureAwait(false);
        _stats.OnCompleted();
        _queued.OnCompleted();
        _changes.OnCompleted();
        _changeBatches.OnCompleted();
        await _store.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<QueueResult>> QueueCoreAsync(IReadOnlyList<OperationRequest> requests, bool single, CancellationToken cancellationToken)
    {
        var now = _scheduler.Now;
        var operations = new OfflineOperation[requests.Count];
        for (var i = 0; i < requests.Count; i++)
        {
            try
            {
                operations[i] = OperationValidator.Validate(requests[i] ?? throw OperationValidator.Reject("requests", "A request is null."), _configuration, now);
            }
            catch (ArgumentException ex) when (!single)
            {
                throw AtIndex(ex, i);
            }
        }

        return await EnqueueAsync(
            scope =>
            {
                var aliases = new Dictionary<Guid, Guid?>();
                var results = new QueueResult[operations.Length];
                for (var i = 0; i < operations.Length; i++)
                {
                    try
                    {
                        results[i] = Store(scope, operations[i], aliases, requests[i].Id is null, requests[i].ResourceId is null);
                    }
                    catch (ArgumentException ex) when (!single)
                    {
                        throw AtIndex(ex, i);
                    }
                }

                return (IReadOnlyList<QueueResult>)results;
            },
            cancellationToken,
            needsSavepoint: !single).ConfigureAwait(false);
    }

    /// <summary>Checks what needs the store (unique id, dependencies present), then inserts or coalesces; rejects only before writing.</summary>
    private QueueResult Store(WriteScope scope, OfflineOperation op, Dictionary<Guid, Guid?> aliases, bool madeId, bool madeResourceId)
    {
        var tx = scope.Transaction;
        // Ids made here are fresh version 7 Guids: no need to look them up.
        if (!madeId && (tx.Exists(op.Id) || aliases.ContainsKey(op.Id)))
        {
            throw OperationValidator.Reject(nameof(OperationRequest.Id), $"Operation {op.Id} is already queued.");
        }

        var dependencies = new List<Guid>(op.DependsOn.Count);
        foreach (var dependency in op.DependsOn)
        {
            // Earlier requests of the same call may have been folded into another operation, or cancelled out.
            var resolved = aliases.TryGetValue(dependency, out var alias) ? alias : dependency;
            if (resolved is not { } id)
            {
                continue;
            }

            if (!tx.Exists(id))
            {
                throw OperationValidator.Reject(nameof(OperationRequest.DependsOn), $"Operation {dependency} is not in the queue.");
            }

            if (!dependencies.Contains(id))
            {
                dependencies.Add(id);
            }
        }

        op = op with { DependsOn = dependencies };
        var last = madeResourceId ? null : tx.GetLastOnResource(op.ResourceType, op.ResourceId);
        // Never fold into an operation the server may already hold (sent, or not provably unsent after a crash).
        if (last is not null
            && !tx.MayHaveBeenSent(last)
            && CoalescingRules.TryFold(last, op, last.Type == OperationType.Create && op.Type == OperationType.Delete && tx.HasDependents(last.Id), _configuration, out var survivor))
        {
            if (survivor is null)
            {
                scope.Delete(last);
                aliases[op.Id] = null;
                aliases[last.Id] = null;
                return new QueueResult(op, QueueOutcome.Cancelled);
            }

            scope.Update(last, survivor);
            scope.Queued.Add(survivor);
            aliases[op.Id] = survivor.Id;
            return new QueueResult(survivor, QueueOutcome.Coalesced);
        }

        var stored = op with { Sequence = tx.NextSequence() };
        scope.Insert(stored);
        scope.Queued.Add(stored);
        return new QueueResult(stored, QueueOutcome.Added);
    }

    private static ArgumentException AtIndex(ArgumentException ex, int index) =>
        new($"requests[{index}]: {ex.Message}", ex.ParamName, ex);

    private Task<bool> ChangeAsync(Guid operationId, Func<OfflineOperation, OfflineOperation> change, CancellationToken cancellationToken) =>
        EnqueueAsync(
            scope =>
            {
                if (scope.Transaction.Get(operationId) is not { } op)
                {
                    _logger.LogDebug("Operation {OperationId} is no longer stored; its state change is ignored.", operationId);
                    return false;
                }

                scope.Update(op, change(op));
                return true;
            },
            cancellationToken);

    /// <summary>
    /// Hands work to the writer. The work must throw <see cref="ArgumentException"/> only before its first write,
    /// unless <paramref name="needsSavepoint"/>; any other exception fails the whole group commit.
    /// </summary>
    private Task<T> EnqueueAsync<T>(Func<WriteScope, T> work, CancellationToken cancellationToken, bool needsSavepoint = false, bool resendable = false)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var item = new WorkItem<T>(work, cancellationToken) { NeedsSavepoint = needsSavepoint, Resendable = resendable };
        if (Volatile.Read(ref _disposed) != 0 || !_channel.Writer.TryWrite(item))
        {
            throw new ObjectDisposedException(nameof(OperationQueue));
        }

        return item.Task;
    }

    private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);

    private async Task WriteLoopAsync()
    {
        var reader = _channel.Reader;
        var group = new List<WorkItem>();
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            // Let the callers acknowledged by the last commit, whose continuations are queued on the pool now, queue
            // their next writes first: the group then holds them too, and one fsync serves more callers.
            await Task.Yield();

            // Group commit: take everything already waiting, without waiting for more.
            group.Clear();
            while (group.Count < MaxGroupSize && reader.TryRead(out var item))
            {
                if (!item.TryCancel())
                {
                    group.Add(item);
                }
            }

            if (group.Count > 0)
            {
                Interlocked.Increment(ref _commits);
                Interlocked.Add(ref _committedItems, group.Count);
                await CommitGroupAsync(group).ConfigureAwait(false);
            }
        }
    }

    private async Task CommitGroupAsync(List<WorkItem> group)
    {
        DateTimeOffset? oldestPending;
        try
        {
            Func<IOperationStoreTransaction, DateTimeOffset?> work = tx =>
                {
                    foreach (var item in group)
                    {
                        item.Scope = new WriteScope(tx);
                        if (item.NeedsSavepoint)
                        {
                            tx.CreateSavepoint();
                        }

                        try
                        {
                            item.Run();
                            if (item.NeedsSavepoint)
                            {
                                tx.ReleaseSavepoint();
                            }
                        }
                        catch (ArgumentException ex)
                        {
                            // A rejected request fails alone: its writes (only a bulk call has any before it rejects)
                            // are undone and the rest of the group still commits. Any other failure fails the group.
                            if (item.NeedsSavepoint)
                            {
                                tx.RollbackToSavepoint();
                            }

                            item.Scope.Reset();
                            item.Error = ex;
                        }
                    }

                    return tx.GetOldestPendingCreatedAt();
                };

            // A group of takes and completions only writes what a resend repairs: the store may commit it without an fsync.
            oldestPending = group.TrueForAll(static item => item.Resendable)
                ? await _store.WriteResendableAsync(work, CancellationToken.None).ConfigureAwait(false)
                : await _store.WriteAsync(work, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "A commit of {Count} queue writes failed; none of them was stored.", group.Count);
            foreach (var item in group)
            {
                item.Fail(ex);
            }

            return;
        }

        QueueStats stats;
        lock (_counterGate)
        {
            foreach (var item in group)
            {
                if (item.Error is null)
                {
                    foreach (var (change, previous) in item.Scope!.Changes)
                    {
                        _counter.Apply(change, previous);
                    }
                }
            }

            _counter.OldestPendingCreatedAt = oldestPending;
            stats = _counter.Snapshot(_scheduler.Now);
        }

        var committed = _changeBatches.HasObservers ? new List<OperationChange>() : null;
        foreach (var item in group)
        {
            if (item.Error is null)
            {
                foreach (var (change, _) in item.Scope!.Changes)
                {
                    Emit(_changes, change);
                    committed?.Add(change);
                }

                foreach (var op in item.Scope.Queued)
                {
                    Emit(_queued, op);
                }
            }
        }

        if (committed is { Count: > 0 })
        {
            Emit(_changeBatches, committed);
        }

        Emit(_stats, stats);
        foreach (var item in group)
        {
            if (item.Error is { } error)
            {
                item.Fail(error);
            }
            else
            {
                item.Complete();
            }
        }
    }

    private void Emit<T>(ISubject<T> subject, T value)
    {
        try
        {
            subject.OnNext(value);
        }
        catch (Exception ex)
        {
            // A throwing subscriber must not stop the writer; the commit already happened.
            _logger.LogError(ex, "A queue subscriber threw.");
        }
    }

    private abstract class WorkItem
    {
        public WriteScope? Scope { get; set; }

        public Exception? Error { get; set; }

        /// <summary>Whether the item may reject its input after writing (a bulk call), so it runs inside a savepoint.</summary>
        public bool NeedsSavepoint { get; init; }

        /// <summary>Whether the item only marks operations in flight or removes acknowledged ones (a take, a completion), so a group of such items may commit without an fsync.</summary>
        public bool Resendable { get; init; }

        public abstract bool TryCancel();

        public abstract void Run();

        public abstract void Complete();

        public abstract void Fail(Exception error);
    }

    private sealed class WorkItem<T>(Func<WriteScope, T> work, CancellationToken cancellationToken) : WorkItem
    {
        private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private T? _result;

        public Task<T> Task => _completion.Task;

        public override bool TryCancel() =>
            cancellationToken.IsCancellationRequested && _completion.TrySetCanceled(cancellationToken);

        public override void Run() => _result = work(Scope!);

        public override void Complete() => _completion.TrySetResult(_result!);

        public override void Fail(Exception error) => _completion.TrySetException(error);
    }
}
