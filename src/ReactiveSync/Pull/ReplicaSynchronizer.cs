using System.Reactive.Concurrency;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Downloads;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Pull;

/// <summary>
/// Keeps the replica in step with the server: pulls changes page by page from the stored checkpoint, applies a
/// server copy chosen by conflict resolution, and records the outcome of pushed operations so the replica's base
/// versions stay right between pulls.
/// </summary>
/// <remarks>
/// One pull runs at a time; a second caller waits for the first to finish and then pulls on its own. Each page and its
/// checkpoint commit together, so a failure (or crash) between pages resumes from the last committed page: no change is
/// skipped and none is applied twice.
/// </remarks>
public sealed class ReplicaSynchronizer
{
    private readonly ISyncTransport _transport;
    private readonly IReplicaStore _replica;
    private readonly SyncConfiguration _configuration;
    private readonly IScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _pullGate = new(1, 1);

    /// <summary>Creates a synchronizer over <paramref name="replica"/>, pulling through <paramref name="transport"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="SyncConfigurationException">The configuration is invalid.</exception>
    public ReplicaSynchronizer(ISyncTransport transport, IReplicaStore replica, SyncConfiguration configuration, IScheduler scheduler, ILogger<ReplicaSynchronizer>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(transport);
        ArgumentNullException.ThrowIfNull(replica);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(scheduler);
        _transport = transport;
        _replica = replica;
        _configuration = configuration.Validate();
        _scheduler = scheduler;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
    }

    /// <summary>The replica this synchronizer writes.</summary>
    public IReplicaStore Replica => _replica;

    /// <summary>
    /// Pulls every change since the stored checkpoint, <see cref="SyncConfiguration.PullPageSize"/> at a time, until the
    /// server says there is no more; each page and its checkpoint are committed together. Answers how many resources
    /// were written. Transport failures propagate as <see cref="SyncException"/> after the pages already committed.
    /// </summary>
    public async Task<int> PullAsync(CancellationToken cancellationToken = default)
    {
        await _pullGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var applied = 0;
            var checkpoint = await _replica.GetCheckpointAsync(cancellationToken).ConfigureAwait(false);
            while (true)
            {
                var page = await _transport.PullAsync(checkpoint, _configuration.PullPageSize, cancellationToken).ConfigureAwait(false);
                if (checkpoint is { } asked && page.Checkpoint < asked)
                {
                    throw new SyncException(SyncError.Of(SyncErrorType.Unknown, $"The server answered checkpoint {page.Checkpoint}, behind the one asked from ({asked})."));
                }

                var rows = new ReplicaResource[page.Changes.Count];
                for (var i = 0; i < rows.Length; i++)
                {
                    rows[i] = ReplicaResource.FromChange(page.Changes[i]);
                }

                applied += await _replica.ApplyPageAsync(rows, page.Checkpoint, cancellationToken).ConfigureAwait(false);
                var moved = checkpoint != page.Checkpoint;
                checkpoint = page.Checkpoint;
                if (!page.HasMore)
                {
                    break;
                }

                if (!moved && rows.Length == 0)
                {
                    // An empty page that claims more would loop forever at the same checkpoint.
                    throw new SyncException(SyncError.Of(SyncErrorType.Unknown, $"The server said more changes follow checkpoint {checkpoint} but sent none."));
                }
            }

            _logger.LogDebug("Pulled {Count} changes up to checkpoint {Checkpoint}.", applied, checkpoint);
            return applied;
        }
        finally
        {
            _pullGate.Release();
        }
    }

    /// <summary>
    /// Stores the server's copy of a resource after a conflict was settled in its favour (the pipeline's
    /// <c>ConflictDecision.Drop</c>). Does nothing without a version (nothing reliable to store). Answers whether it was written.
    /// </summary>
    /// <exception cref="ArgumentException">The resource type is invalid or the id is empty.</exception>
    public Task<bool> ApplyServerCopyAsync(
        ResourceType resourceType,
        string resourceId,
        long? serverVersion,
        JsonNode? serverData,
        bool serverDeleted,
        DateTimeOffset? serverUpdatedAt,
        CancellationToken cancellationToken = default)
    {
        if (!resourceType.IsValid)
        {
            throw new ArgumentException("A valid resource type is required.", nameof(resourceType));
        }

        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        if (serverVersion is not { } version)
        {
            return Task.FromResult(false);
        }

        return PutKeepingContentAsync(
            new ReplicaResource
            {
                ResourceType = resourceType,
                ResourceId = resourceId,
                Version = version,
                Data = serverDeleted ? null : serverData,
                Deleted = serverDeleted,
                UpdatedAt = serverUpdatedAt ?? _scheduler.Now,
            },
            cancellationToken);
    }

    /// <summary>
    /// Records what the server now holds after it acknowledged <paramref name="operation"/> (applied or duplicate with a
    /// version): Create stores its data, Update and Upload merge their patch into the replica's copy, Delete leaves a
    /// tombstone, Download changes nothing. Call it before completing the operation in the queue, so the local view never
    /// shows the older server copy in between. Answers whether the replica changed. Other statuses are ignored.
    /// </summary>
    /// <remarks>
    /// The stored data is the client's computation of the server's copy; the next pull replaces it with the server's own
    /// (same or later version). An Update whose base copy is missing from the replica is not recorded (nothing to merge
    /// into); the next pull brings it.
    /// </remarks>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The result is for another operation.</exception>
    public async Task<bool> RecordPushedAsync(OfflineOperation operation, PushResult result, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(operation);
        ArgumentNullException.ThrowIfNull(result);
        if (result.OperationId != operation.Id)
        {
            throw new ArgumentException($"The result is for operation {result.OperationId}, not {operation.Id}.", nameof(result));
        }

        if (!Records(operation, result))
        {
            return false;
        }

        var current = await _replica.GetAsync(operation.ResourceType, operation.ResourceId, cancellationToken).ConfigureAwait(false);
        return Pushed(operation, result, current) is { } resource
            && await PutKeepingContentAsync(resource, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="RecordPushedAsync"/> for a whole push answer: one read of the replica rows and one write for all of
    /// them. The operations must be on distinct resources (a batch is: one operation per resource is in flight at a time).
    /// Answers how many rows changed.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">A result is for another operation, or two operations share a resource.</exception>
    public async Task<int> RecordPushedManyAsync(
        IReadOnlyList<(OfflineOperation Operation, PushResult Result)> answered, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(answered);
        var recorded = new List<(OfflineOperation Operation, PushResult Result)>(answered.Count);
        var keys = new List<ReplicaKey>(answered.Count);
        var seen = new HashSet<ReplicaKey>(answered.Count);
        foreach (var (operation, result) in answered)
        {
            ArgumentNullException.ThrowIfNull(operation, nameof(answered));
            ArgumentNullException.ThrowIfNull(result, nameof(answered));
            if (result.OperationId != operation.Id)
            {
                throw new ArgumentException($"The result is for operation {result.OperationId}, not {operation.Id}.", nameof(answered));
            }

            if (Records(operation, result))
            {
                var key = new ReplicaKey(operation.ResourceType, operation.ResourceId);
                if (!seen.Add(key))
                {
                    throw new ArgumentException($"Two operations on {key.ResourceType}/{key.ResourceId}: record them one answer at a time.", nameof(answered));
                }

                recorded.Add((operation, result));
                keys.Add(key);
            }
        }

        if (recorded.Count == 0)
        {
            return 0;
        }

        var currents = await _replica.GetManyAsync(keys, cancellationToken).ConfigureAwait(false);
        var rows = new List<ReplicaResource>(recorded.Count);
        for (var i = 0; i < recorded.Count; i++)
        {
            var current = currents[i];
            if (Pushed(recorded[i].Operation, recorded[i].Result, current) is { } resource)
            {
                // Push answers do not repeat the content url and size the replica knew: carry them over.
                rows.Add(current is not null && !resource.Deleted ? resource with { ContentUrl = current.ContentUrl, ContentSize = current.ContentSize } : resource);
            }
        }

        return rows.Count == 0 ? 0 : await _replica.PutManyAsync(rows, cancellationToken).ConfigureAwait(false);
    }

    private static bool Records(OfflineOperation operation, PushResult result) =>
        result.Status is PushStatus.Applied or PushStatus.Duplicate && result.Version is not null && operation.Type != OperationType.Download;

    /// <summary>The replica row after the server acknowledged <paramref name="operation"/>, or null when nothing is to be written.</summary>
    private ReplicaResource? Pushed(OfflineOperation operation, PushResult result, ReplicaResource? current)
    {
        var version = result.Version!.Value;
        if (current is not null && current.Version >= version)
        {
            return null;
        }

        JsonNode? data;
        var deleted = false;
        switch (operation.Type)
        {
            case OperationType.Create:
                data = operation.Data;
                break;
            case OperationType.Delete:
                data = null;
                deleted = true;
                break;
            case OperationType.Update when current is null || current.Deleted:
                return null;
            case OperationType.Update:
                data = JsonMergePatch.Apply(current.Data, operation.Data);
                break;
            case OperationType.Upload:
                data = operation.Data is null ? current?.Data : JsonMergePatch.Apply(current?.Data, ContentUploader.MetadataOf(operation.Data));
                break;
            default:
                return null;
        }

        return new ReplicaResource
        {
            ResourceType = operation.ResourceType,
            ResourceId = operation.ResourceId,
            Version = version,
            Data = data,
            Deleted = deleted,
            UpdatedAt = result.ServerUpdatedAt ?? _scheduler.Now,
        };
    }

    /// <summary>Writes a row, carrying over the content url and size the replica knew (push answers do not repeat them).</summary>
    private async Task<bool> PutKeepingContentAsync(ReplicaResource resource, CancellationToken cancellationToken)
    {
        var current = await _replica.GetAsync(resource.ResourceType, resource.ResourceId, cancellationToken).ConfigureAwait(false);
        if (current is not null && !resource.Deleted)
        {
            resource = resource with { ContentUrl = current.ContentUrl, ContentSize = current.ContentSize };
        }

        return await _replica.PutAsync(resource, cancellationToken).ConfigureAwait(false);
    }
}
