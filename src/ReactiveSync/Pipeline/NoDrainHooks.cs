using ReactiveSync.Conflicts;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Pipeline;

/// <summary>Hooks that do nothing: a drain that only pushes.</summary>
internal sealed class NoDrainHooks : ISyncDrainHooks
{
    public static NoDrainHooks Instance { get; } = new();

    public ValueTask<IReadOnlyList<OfflineOperation>> BeforePushAsync(IReadOnlyList<OfflineOperation> batch, CancellationToken cancellationToken) =>
        ValueTask.FromResult(batch);

    public ValueTask OnAppliedAsync(IReadOnlyList<(OfflineOperation Operation, PushResult Result)> applied, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    public ValueTask OnServerCopyKeptAsync(OfflineOperation operation, ConflictDecision.Drop decision, CancellationToken cancellationToken) =>
        ValueTask.CompletedTask;

    public ValueTask<int> AfterPushAsync(CancellationToken cancellationToken) => ValueTask.FromResult(0);
}
