using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using ReactiveSync.Conflicts;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Reactive;
using ReactiveSync.Transport;

namespace ReactiveSync.Pipeline;

/// <summary>
/// One drain of the queue: take a batch, push it, record each answer; repeat until nothing is eligible, the server is
/// unwell (a transient failure of a whole batch: the rest waits for the retry timer) or the credentials are refused.
/// Stateless between drains; the pipeline runs one at a time.
/// </summary>
/// <remarks>
/// Once the server has answered, the answer is recorded even if the drain is being cancelled, so nothing it said is
/// lost. A cancelled push puts its batch back to pending without using a retry (the server's dedupe makes the resend
/// safe).
/// </remarks>
internal sealed class SyncDrain
{
    private readonly OperationQueue _queue;
    private readonly ISyncTransport _transport;
    private readonly string _clientId;
    private readonly SyncConfiguration _configuration;
    private readonly BackoffPolicy _backoff;
    private readonly IScheduler _scheduler;
    private readonly Func<double> _randomUnit;
    private readonly ResolveConflict _resolveConflict;
    private readonly Action<SyncEvent> _emit;
    private readonly Action<SyncConflict> _emitConflict;
    private readonly ISyncDrainHooks _hooks;
    private readonly ILogger _logger;

    public SyncDrain(
        OperationQueue queue,
        ISyncTransport transport,
        string clientId,
        SyncConfiguration configuration,
        IScheduler scheduler,
        Func<double> randomUnit,
        ResolveConflict resolveConflict,
        Action<SyncEvent> emit,
        Action<SyncConflict> emitConflict,
        ISyncDrainHooks hooks,
        ILogger logger)
    {
        _queue = queue;
        _transport = transport;
        _clientId = clientId;
        _configuration = configuration;
        _backoff = BackoffPolicy.FromConfiguration(configuration);
        _scheduler = scheduler;
        _randomUnit = randomUnit;
        _resolveConflict = resolveConflict;
        _emit = emit;
        _emitConflict = emitConflict;
        _hooks = hooks;
        _logger = logger;
    }

    /// <summary>
    /// Drains until nothing is eligible or the drain must stop; see <see cref="DrainOutcome"/>. Before each batch it asks
    /// <paramref name="canContinue"/>, so a pause or going offline stops it after the batches in hand.
    /// </summary>
    /// <remarks>
    /// Pipelined: up to <see cref="SyncConfiguration.MaxPushesInFlight"/> pushes are on the wire at once, and one more
    /// batch is taken to follow them; answers are recorded in order (those already in behind the one awaited together),
    /// and each completion takes what the wire then needs in the same queue commit.
    /// That is safe because an operation in flight stays stored until its answer is recorded, so selection never
    /// takes a later operation on its resource or one that depends on it: per-resource order and dependencies hold,
    /// and each operation is in one batch at a time. When a push fails in a way that stops the drain, the pushes still
    /// on the wire are awaited and settled, and a batch taken but not sent is released (back to pending, no retry used).
    /// </remarks>
    /// <exception cref="OperationCanceledException">Cancelled; the batches taken and not answered were released.</exception>
    public async Task<DrainOutcome> RunAsync(Func<bool> canContinue, CancellationToken cancellationToken)
    {
        var run = new Run(_scheduler.Now);
        var maxOnTheWire = _configuration.MaxPushesInFlight;
        var taken = new Queue<IReadOnlyList<OfflineOperation>>();
        var onTheWire = new Queue<Sending>(maxOnTheWire);
        // Answers in and not yet recorded; each is cleared before its recording starts, so a cancel records it once.
        Answered? answered = null;
        Answered? TakeAnswered()
        {
            var toRecord = answered;
            answered = null;
            return toRecord;
        }

        try
        {
            if (canContinue())
            {
                Enqueue(taken, await TakeAsync(run, 1, cancellationToken).ConfigureAwait(false));
            }

            var retake = false;
            while (true)
            {
                // Send what was taken while there is room on the wire.
                var stop = false;
                while (taken.Count > 0 && onTheWire.Count < maxOnTheWire && canContinue())
                {
                    var prepared = await PrepareAsync(taken.Dequeue(), run, cancellationToken).ConfigureAwait(false);
                    if (prepared.ToPush is { } toPush)
                    {
                        onTheWire.Enqueue(new Sending(toPush, SendAsync(toPush, cancellationToken)));
                    }
                    else if (prepared.GoOn)
                    {
                        retake = true;
                    }
                    else
                    {
                        await RecordAnsweredAsync(TakeAnswered(), run, takeAlong: 0, cancellationToken).ConfigureAwait(false);
                        stop = true;
                        break;
                    }
                }

                if (stop)
                {
                    break;
                }

                // Record the previous answers while pushes are on the wire; their completion takes the batches to send
                // next (enough to fill the wire and have one to follow) in the same queue commit.
                retake |= answered is not null;
                var wanted = onTheWire.Count > 0 && canContinue() ? maxOnTheWire + 1 - onTheWire.Count - taken.Count : 0;
                var takenAlong = await RecordAnsweredAsync(TakeAnswered(), run, Math.Max(wanted, 0), cancellationToken).ConfigureAwait(false);
                if (onTheWire.Count == 0)
                {
                    // Nothing on the wire: recorded answers may have unblocked later operations, so look once more.
                    if (!retake || !canContinue())
                    {
                        break;
                    }

                    retake = false;
                    Enqueue(taken, await TakeAsync(run, 1, cancellationToken).ConfigureAwait(false));
                    if (taken.Count == 0)
                    {
                        break;
                    }

                    continue;
                }

                // Take what the wire needs while pushes are on it, unless it came with the completion; with room on
                // the wire it goes at once.
                if (wanted > 0)
                {
                    Enqueue(taken, takenAlong ?? await TakeAsync(run, wanted, cancellationToken).ConfigureAwait(false));
                    if (taken.Count > 0 && onTheWire.Count < maxOnTheWire)
                    {
                        continue;
                    }
                }

                var current = onTheWire.Dequeue();
                var attempt = await current.Attempt.ConfigureAwait(false);
                if (attempt.Error is { } error)
                {
                    if (await RecordFailedPushAsync(current.Batch, error, run, cancellationToken).ConfigureAwait(false) is not null)
                    {
                        break;
                    }

                    retake = true;
                    continue;
                }

                // Answers already in behind this one are recorded with it, in one queue commit: when recording falls
                // behind the server, the commits grow instead of the backlog.
                answered = new Answered(current.Batch, attempt.Results!);
                while (onTheWire.TryPeek(out var next) && next.Attempt.IsCompletedSuccessfully)
                {
                    // Already complete: this await does not wait.
                    var ready = await next.Attempt.ConfigureAwait(false);
                    if (ready.Error is not null)
                    {
                        break;
                    }

                    onTheWire.Dequeue();
                    answered = answered.With(next.Batch, ready.Results!);
                }
            }

            // Stopped with pushes still on the wire: what the server says to them is recorded all the same.
            while (onTheWire.TryDequeue(out var rest))
            {
                await SettleAfterStopAsync(rest, run).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Cancelled while an answer waited for the next step (e.g. during the next batch's upload): the server
            // applied it, so it is recorded, first, as it goes before what was taken after it.
            try
            {
                await RecordAnsweredAsync(TakeAnswered(), run, takeAlong: 0, CancellationToken.None).ConfigureAwait(false);
            }
            finally
            {
                await ReleaseAfterCancelAsync(taken, onTheWire, run).ConfigureAwait(false);
            }

            throw;
        }

        // Taken while pushes were on the wire, then the drain stopped: back to pending, unsent.
        while (taken.TryDequeue(out var unsent))
        {
            await _queue.ReleaseAsync(Ids(unsent), CancellationToken.None).ConfigureAwait(false);
        }

        // Pull only after pushes that went through: a server failing pushes waits for the retry, not for a pull.
        if (!run.WholeBatchFailed && canContinue())
        {
            await PullAsync(run, cancellationToken).ConfigureAwait(false);
        }

        var result = new SyncResult
        {
            Success = !run.WholeBatchFailed,
            ProcessedOperations = run.Processed,
            FailedOperations = run.Failed,
            RetriedOperations = run.Retried,
            PulledChanges = run.Pulled,
            Conflicts = run.Conflicts,
            Errors = run.Errors,
            Duration = _scheduler.Now - run.StartedAt,
        };
        return new DrainOutcome(result, run.AuthenticationError, run.RetryAt, run.LastTakeAt);
    }

    /// <summary>The one place the drain takes; it notes the time first, for the pipeline's retry timer. Takes up to <paramref name="batches"/> batches in one go.</summary>
    private Task<IReadOnlyList<OfflineOperation>> TakeAsync(Run run, int batches, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        run.LastTakeAt = _scheduler.Now;
        return _queue.TakeBatchAsync(_configuration.BatchSize * batches, cancellationToken);
    }

    /// <summary>Splits what one take answered into batches of <see cref="SyncConfiguration.BatchSize"/>, in the order taken.</summary>
    private void Enqueue(Queue<IReadOnlyList<OfflineOperation>> taken, IReadOnlyList<OfflineOperation> operations)
    {
        var size = _configuration.BatchSize;
        if (operations.Count <= size)
        {
            if (operations.Count > 0)
            {
                taken.Enqueue(operations);
            }

            return;
        }

        foreach (var batch in operations.Chunk(size))
        {
            taken.Enqueue(batch);
        }
    }

    /// <summary>
    /// Runs the before-push hook (uploads); answers what to push, or null with whether the drain goes on. A failure
    /// of the hook is handled as a failure of the whole batch.
    /// </summary>
    private async Task<(IReadOnlyList<OfflineOperation>? ToPush, bool GoOn)> PrepareAsync(
        IReadOnlyList<OfflineOperation> batch, Run run, CancellationToken cancellationToken)
    {
        try
        {
            return (await _hooks.BeforePushAsync(batch, cancellationToken).ConfigureAwait(false), true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _queue.ReleaseAsync(Ids(batch), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (SyncException ex)
        {
            return (null, await HandleBatchFailureAsync(batch, ex.Error, run).ConfigureAwait(false));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // As for an unclassified transport fault: transient, bounded by each operation's retry budget.
            _logger.LogError(ex, "Preparing the push threw an unclassified exception; treating it as a transient failure.");
            await HandleBatchFailureAsync(batch, new SyncError(SyncErrorType.Unknown, $"The transport failed: {ex.Message}", IsRetryable: true), run)
                .ConfigureAwait(false);
            return (null, false);
        }
    }

    /// <summary>Pushes a batch; the answer or the failure, never thrown, so a push can run while other work goes on.</summary>
    private async Task<PushAttempt> SendAsync(IReadOnlyList<OfflineOperation> batch, CancellationToken cancellationToken)
    {
        try
        {
            return new PushAttempt(await _transport.PushAsync(_clientId, batch, cancellationToken).ConfigureAwait(false), null);
        }
        catch (Exception ex)
        {
            return new PushAttempt(null, ex);
        }
    }

    /// <summary>Records the answers, if any; with <paramref name="takeAlong"/> batches wanted, answers what their completion's commit took (null when it took nothing).</summary>
    private async Task<IReadOnlyList<OfflineOperation>?> RecordAnsweredAsync(Answered? answered, Run run, int takeAlong, CancellationToken cancellationToken) =>
        answered is null ? null : await ApplyResultsAsync(answered.Batch, answered.Results, run, cancellationToken, takeAlong).ConfigureAwait(false);

    /// <summary>
    /// Settles a push that failed as <see cref="PushAndRecordAsync"/> does (a batch too large goes again in halves);
    /// answers the error that stops the drain, or null to go on.
    /// </summary>
    private async Task<SyncError?> RecordFailedPushAsync(IReadOnlyList<OfflineOperation> batch, Exception failure, Run run, CancellationToken cancellationToken)
    {
        switch (failure)
        {
            case OperationCanceledException when cancellationToken.IsCancellationRequested:
                await _queue.ReleaseAsync(Ids(batch), CancellationToken.None).ConfigureAwait(false);
                throw failure;
            case SyncException { Error.Type: SyncErrorType.QuotaExceeded } when batch.Count > 1:
                return await PushAndRecordAsync(batch, run, cancellationToken).ConfigureAwait(false);
            case SyncException ex:
                return await HandleBatchFailureAsync(batch, ex.Error, run).ConfigureAwait(false) ? null : ex.Error;
            default:
                // The port promises SyncException for every failure; anything else is a fault in the transport, treated as
                // transient so that no operation fails for good because of it, yet each one's retry budget still bounds it.
                _logger.LogError(failure, "The transport threw an unclassified exception; treating it as a transient failure.");
                var error = new SyncError(SyncErrorType.Unknown, $"The transport failed: {failure.Message}", IsRetryable: true);
                await HandleBatchFailureAsync(batch, error, run).ConfigureAwait(false);
                return error;
        }
    }

    /// <summary>
    /// Settles a push that was on the wire when the drain stopped: its answers are recorded, its failure settled as any
    /// push's; a batch too large to split now, or cancelled, is released for the next drain.
    /// </summary>
    private async Task SettleAfterStopAsync(Sending sending, Run run)
    {
        var attempt = await sending.Attempt.ConfigureAwait(false);
        switch (attempt.Error)
        {
            case null:
                await ApplyResultsAsync(sending.Batch, attempt.Results!, run, CancellationToken.None).ConfigureAwait(false);
                break;
            case OperationCanceledException:
            case SyncException { Error.Type: SyncErrorType.QuotaExceeded } when sending.Batch.Count > 1:
                await _queue.ReleaseAsync(Ids(sending.Batch), CancellationToken.None).ConfigureAwait(false);
                break;
            default:
                await RecordFailedPushAsync(sending.Batch, attempt.Error, run, CancellationToken.None).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>After a cancel: releases what was taken and not sent; pushes on the wire are awaited and their answers kept if they came.</summary>
    private async Task ReleaseAfterCancelAsync(Queue<IReadOnlyList<OfflineOperation>> taken, Queue<Sending> onTheWire, Run run)
    {
        while (taken.TryDequeue(out var unsent))
        {
            await _queue.ReleaseAsync(Ids(unsent), CancellationToken.None).ConfigureAwait(false);
        }

        foreach (var sending in onTheWire)
        {
            var attempt = await sending.Attempt.ConfigureAwait(false);
            if (attempt.Results is { } results)
            {
                // The server answered: what it said is recorded even though the drain is being cancelled.
                await ApplyResultsAsync(sending.Batch, results, run, CancellationToken.None).ConfigureAwait(false);
            }
            else
            {
                await _queue.ReleaseAsync(Ids(sending.Batch), CancellationToken.None).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Pushes a batch and records the answers; answers the error that stops the drain (credentials refused, a transient
    /// failure), or null to go on. A batch the server finds too large (413/507) is pushed in halves, down to single
    /// operations, so an oversized operation fails alone instead of failing the rest of its batch with it.
    /// </summary>
    private async Task<SyncError?> PushAndRecordAsync(IReadOnlyList<OfflineOperation> batch, Run run, CancellationToken cancellationToken)
    {
        IReadOnlyList<PushResult> results;
        try
        {
            results = await _transport.PushAsync(_clientId, batch, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _queue.ReleaseAsync(Ids(batch), CancellationToken.None).ConfigureAwait(false);
            throw;
        }
        catch (SyncException ex) when (ex.Error.Type == SyncErrorType.QuotaExceeded && batch.Count > 1)
        {
            _logger.LogInformation("The server found a push of {Count} operations too large; pushing it in halves.", batch.Count);
            var half = batch.Count / 2;
            var second = batch.Skip(half).ToArray();
            SyncError? stop;
            try
            {
                stop = await PushAndRecordAsync(batch.Take(half).ToArray(), run, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                await _queue.ReleaseAsync(Ids(second), CancellationToken.None).ConfigureAwait(false);
                throw;
            }

            if (stop is not null)
            {
                // The first half stopped the drain (reported there): the second half waits the same way, unsent.
                await SettleBatchFailureAsync(second, stop, run).ConfigureAwait(false);
                return stop;
            }

            return await PushAndRecordAsync(second, run, cancellationToken).ConfigureAwait(false);
        }
        catch (SyncException ex)
        {
            return await HandleBatchFailureAsync(batch, ex.Error, run).ConfigureAwait(false) ? null : ex.Error;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The port promises SyncException for every failure; anything else is a fault in the transport, treated as
            // transient so that no operation fails for good because of it, yet each one's retry budget still bounds it.
            _logger.LogError(ex, "The transport threw an unclassified exception; treating it as a transient failure.");
            var error = new SyncError(SyncErrorType.Unknown, $"The transport failed: {ex.Message}", IsRetryable: true);
            await HandleBatchFailureAsync(batch, error, run).ConfigureAwait(false);
            return error;
        }

        await ApplyResultsAsync(batch, results, run, cancellationToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>Takes in server changes after the pushes; a failure is reported in the result and waits for the next drain.</summary>
    private async Task PullAsync(Run run, CancellationToken cancellationToken)
    {
        try
        {
            run.Pulled = await _hooks.AfterPushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (SyncException ex)
        {
            _logger.LogWarning("Pulling server changes failed ({Type}): {Message}", ex.Error.Type, ex.Error.Message);
            run.WholeBatchFailed = true;
            run.Errors.Add(ex.Error);
            _emit(new SyncFailed(ex.Error) { Timestamp = _scheduler.Now });
        }
    }

    /// <summary>Handles a failure of a whole push; answers whether the drain goes on with the next batch.</summary>
    private async Task<bool> HandleBatchFailureAsync(IReadOnlyList<OfflineOperation> batch, SyncError error, Run run)
    {
        run.WholeBatchFailed = true;
        run.Errors.Add(error);
        _emit(new SyncFailed(error) { Timestamp = _scheduler.Now });
        return await SettleBatchFailureAsync(batch, error, run).ConfigureAwait(false);
    }

    /// <summary>Puts the operations of a failed push where the error sends them (released, retried or failed), without reporting it.</summary>
    private async Task<bool> SettleBatchFailureAsync(IReadOnlyList<OfflineOperation> batch, SyncError error, Run run)
    {
        if (error.Type == SyncErrorType.Authentication)
        {
            // No retry is used: the operations did nothing wrong, the credentials did.
            _logger.LogWarning("The server refused the credentials; {Count} operations wait for new ones.", batch.Count);
            await _queue.ReleaseAsync(Ids(batch), CancellationToken.None).ConfigureAwait(false);
            run.AuthenticationError = error;
            return false;
        }

        if (error.IsRetryable)
        {
            // One write per operation, handed to the queue together so they share a commit.
            var now = _scheduler.Now;
            var writes = new List<Task<bool>>(batch.Count);
            foreach (var op in batch)
            {
                var attempt = op.RetryCount + 1;
                if (attempt > op.MaxRetries)
                {
                    var final = error with { Message = $"Gave up after {op.RetryCount} retries: {error.Message}", IsRetryable = false };
                    writes.Add(_queue.FailAsync(op.Id, final, CancellationToken.None));
                    run.Failed++;
                    continue;
                }

                var dueAt = now + BackoffCalculator.ComputeDelay(_backoff, attempt, error.RetryAfter, _randomUnit());
                writes.Add(_queue.ScheduleRetryAsync(op.Id, dueAt, error, CancellationToken.None));
                run.Retried++;
                run.RetryAt = run.RetryAt is { } earlier && earlier <= dueAt ? earlier : dueAt;
            }

            await Task.WhenAll(writes).ConfigureAwait(false);
            _logger.LogInformation(
                "Push of {Count} operations failed transiently ({Type}: {Message}); retrying from {RetryAt}.",
                batch.Count, error.Type, error.Message, run.RetryAt);

            // The server is unwell: the rest of the queue waits for the retry timer rather than spending retries now.
            return false;
        }

        _logger.LogWarning("Push of {Count} operations failed for good ({Type}: {Message}).", batch.Count, error.Type, error.Message);
        await Task.WhenAll(batch.Select(op => _queue.FailAsync(op.Id, error, CancellationToken.None))).ConfigureAwait(false);
        run.Failed += batch.Count;
        return true;
    }

    /// <summary>
    /// Records a push's answers. With <paramref name="takeAlong"/> batches wanted and something to complete, the completion
    /// also takes them in the same commit, and what it took is answered (put back, unsent, if recording then fails); else null.
    /// </summary>
    private async Task<IReadOnlyList<OfflineOperation>?> ApplyResultsAsync(
        IReadOnlyList<OfflineOperation> batch, IReadOnlyList<PushResult> results, Run run, CancellationToken cancellationToken, int takeAlong = 0)
    {
        var byId = new Dictionary<Guid, PushResult>(results.Count);
        foreach (var result in results)
        {
            if (result is not null)
            {
                byId.TryAdd(result.OperationId, result);
            }
        }

        var completed = new List<Guid>(batch.Count);
        var applied = new List<(OfflineOperation Operation, PushResult Result)>(batch.Count);
        var writes = new List<Task>();
        var unanswered = new List<OfflineOperation>();
        foreach (var op in batch)
        {
            if (!byId.TryGetValue(op.Id, out var result))
            {
                unanswered.Add(op);
                continue;
            }

            switch (result.Status)
            {
                case PushStatus.Applied:
                case PushStatus.Duplicate:
                    completed.Add(op.Id);
                    applied.Add((op, result));
                    break;

                case PushStatus.Conflict:
                    await HandleConflictAsync(op, result, run, cancellationToken).ConfigureAwait(false);
                    break;

                case PushStatus.Rejected:
                    var error = result.Error ?? SyncError.Of(SyncErrorType.Validation, "The server rejected the operation.");
                    writes.Add(_queue.FailAsync(op.Id, error, CancellationToken.None));
                    run.Failed++;
                    run.Errors.Add(error);
                    break;

                default:
                    unanswered.Add(op);
                    break;
            }
        }

        Task<IReadOnlyList<OfflineOperation>>? completeAndTake = null;
        if (completed.Count > 0)
        {
            // The replica first, then the queue: the local view never shows the older server copy in between.
            // Not cancellable: a local write of what the server already did, and the completion below depends on it.
            await _hooks.OnAppliedAsync(applied, CancellationToken.None).ConfigureAwait(false);
            if (takeAlong > 0)
            {
                run.LastTakeAt = _scheduler.Now;
                completeAndTake = _queue.CompleteAndTakeBatchAsync(applied.ConvertAll(a => a.Operation), _configuration.BatchSize * takeAlong);
                writes.Add(completeAndTake);
            }
            else
            {
                writes.Add(_queue.CompleteAsync(completed, CancellationToken.None));
            }

            run.Processed += completed.Count;
        }

        try
        {
            await Task.WhenAll(writes).ConfigureAwait(false);
            if (unanswered.Count > 0)
            {
                // A malformed answer: the server may or may not have applied these; resending is safe (dedupe).
                var error = new SyncError(
                    SyncErrorType.Unknown, $"The server's answer had no usable result for {unanswered.Count} operations.", IsRetryable: true);
                _logger.LogWarning("{Message}", error.Message);
                await HandleBatchFailureAsync(unanswered, error, run).ConfigureAwait(false);
            }
        }
        catch when (completeAndTake is { IsCompletedSuccessfully: true })
        {
            // Recording failed after the next batch was taken: put it back, unsent.
            await _queue.ReleaseAsync(Ids(await completeAndTake.ConfigureAwait(false)), CancellationToken.None).ConfigureAwait(false);
            throw;
        }

        return completeAndTake is null ? null : await completeAndTake.ConfigureAwait(false);
    }

    private async Task HandleConflictAsync(OfflineOperation op, PushResult result, Run run, CancellationToken cancellationToken)
    {
        var conflict = new SyncConflict
        {
            Id = Guid.NewGuid(),
            OperationId = op.Id,
            OperationType = op.Type,
            ResourceType = op.ResourceType,
            ResourceId = op.ResourceId,
            ClientData = op.Data?.DeepClone(),
            ServerData = result.ServerData?.DeepClone(),
            BaseData = op.BaseData?.DeepClone(),
            ServerVersion = result.Version,
            ServerUpdatedAt = result.ServerUpdatedAt,
            ClientTimestamp = op.ClientTimestamp,
            ServerDeleted = result.ServerDeleted,
            DetectedAt = _scheduler.Now,
            Strategy = op.ConflictResolution ?? _configuration.StrategyFor(op.ResourceType),
        };

        ConflictDecision decision;
        try
        {
            decision = await _resolveConflict(op, conflict, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            _logger.LogError(ex, "The conflict resolver failed for operation {OperationId}; parking it.", op.Id);
            decision = new ConflictDecision.Park(conflict with { Note = $"The resolver failed: {ex.Message}" });
        }

        switch (decision)
        {
            case ConflictDecision.Resend resend:
                await _queue.RequeueAsync(op.Id, resend.Data, resend.BaseVersion, resend.Type, CancellationToken.None).ConfigureAwait(false);
                break;

            case ConflictDecision.Drop drop:
                // The server's copy stands: the operation leaves the queue and the replica takes the server copy. A durable
                // removal, unlike a completion: the server holds no answer for this id, so a resend would reopen the conflict.
                await _queue.RemoveOperationAsync(op.Id, CancellationToken.None).ConfigureAwait(false);
                await _hooks.OnServerCopyKeptAsync(op, drop, CancellationToken.None).ConfigureAwait(false);
                break;

            default:
                var message = $"Conflict on {op.ResourceType}/{op.ResourceId}: the server is at version {result.Version?.ToString() ?? "none"}"
                    + (result.ServerDeleted ? " and deleted." : ".");
                await _queue.ParkConflictAsync(op.Id, SyncError.Of(SyncErrorType.Conflict, message, statusCode: 409), CancellationToken.None)
                    .ConfigureAwait(false);
                break;
        }

        run.Conflicts.Add(decision.Conflict);
        _emitConflict(decision.Conflict);
        _emit(new ConflictDetected(decision.Conflict) { Timestamp = _scheduler.Now });
    }

    private static Guid[] Ids(IReadOnlyList<OfflineOperation> batch) => batch.Select(static op => op.Id).ToArray();

    /// <summary>A batch whose push is on the wire.</summary>
    private sealed record Sending(IReadOnlyList<OfflineOperation> Batch, Task<PushAttempt> Attempt);

    /// <summary>Batches the server answered, whose answers are not recorded yet: one push's, or several recorded together.</summary>
    private sealed record Answered(IReadOnlyList<OfflineOperation> Batch, IReadOnlyList<PushResult> Results)
    {
        public Answered With(IReadOnlyList<OfflineOperation> batch, IReadOnlyList<PushResult> results) =>
            new([.. Batch, .. batch], [.. Results, .. results]);
    }

    private sealed record PushAttempt(IReadOnlyList<PushResult>? Results, Exception? Error);

    private sealed class Run(DateTimeOffset startedAt)
    {
        public DateTimeOffset StartedAt { get; } = startedAt;

        public int Processed { get; set; }

        public int Failed { get; set; }

        public int Retried { get; set; }

        public int Pulled { get; set; }

        public bool WholeBatchFailed { get; set; }

        public List<SyncConflict> Conflicts { get; } = [];

        public List<SyncError> Errors { get; } = [];

        public SyncError? AuthenticationError { get; set; }

        public DateTimeOffset? RetryAt { get; set; }

        public DateTimeOffset? LastTakeAt { get; set; }
    }
}
