using System.Reactive.Concurrency;
using ReactiveSync.Conflicts;
using ReactiveSync.Downloads;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using ReactiveSync.Transport;

namespace ReactiveSync.Pipeline;

/// <summary>
/// The engine's drain hooks: streams Upload files before their push, keeps the replica in step with what the server
/// acknowledged or kept, and pulls server changes after the pushes (every drain, or at most once per
/// <see cref="SyncConfiguration.PullInterval"/>; never when <see cref="SyncConfiguration.PullEnabled"/> is off).
/// </summary>
internal sealed class ReplicaDrainHooks(
    ContentUploader uploader, ReplicaSynchronizer replica, SyncConfiguration configuration, IScheduler scheduler) : ISyncDrainHooks
{
    private DateTimeOffset? _lastPull;

    public async ValueTask<IReadOnlyList<OfflineOperation>> BeforePushAsync(
        IReadOnlyList<OfflineOperation> batch, CancellationToken cancellationToken)
    {
        if (!batch.Any(static op => op.Type == OperationType.Upload))
        {
            return batch;
        }

        var toPush = new OfflineOperation[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            toPush[i] = await uploader.UploadAsync(batch[i], cancellationToken).ConfigureAwait(false);
        }

        return toPush;
    }

    // One replica read and one replica transaction per push answer, not one of each per operation.
    public async ValueTask OnAppliedAsync(IReadOnlyList<(OfflineOperation Operation, PushResult Result)> applied, CancellationToken cancellationToken) =>
        await replica.RecordPushedManyAsync(applied, cancellationToken).ConfigureAwait(false);

    public async ValueTask OnServerCopyKeptAsync(OfflineOperation operation, ConflictDecision.Drop decision, CancellationToken cancellationToken) =>
        await replica.ApplyServerCopyAsync(
            operation.ResourceType,
            operation.ResourceId,
            decision.ServerVersion,
            decision.ServerData,
            decision.ServerDeleted,
            decision.Conflict.ServerUpdatedAt,
            cancellationToken).ConfigureAwait(false);

    public async ValueTask<int> AfterPushAsync(CancellationToken cancellationToken)
    {
        if (!configuration.PullEnabled)
        {
            return 0;
        }

        var now = scheduler.Now;
        if (configuration.PullInterval is { } interval && _lastPull is { } last && now - last < interval)
        {
            return 0;
        }

        var pulled = await replica.PullAsync(cancellationToken).ConfigureAwait(false);
        _lastPull = now;
        return pulled;
    }
}
