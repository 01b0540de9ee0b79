using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using ReactiveSync.Downloads;
using ReactiveSync.Model;

namespace ReactiveSync.Transport;

/// <summary>
/// An in-process sync server behind the <see cref="ISyncTransport"/> port, following the wire protocol's semantics:
/// versioned resources with soft deletes, <c>updatedAt</c> set by the server's clock (the injected scheduler plus
/// <see cref="ServerClockOffset"/>), a global change sequence paged by <see cref="PullAsync"/>, idempotency by
/// (client id, operation id) answering a replay with the first answer, version conflicts, merge-patch updates and
/// per-type validators. Test controls inject failures, latency and held pushes, change server data directly and count
/// calls. Thread-safe; every answer is a deep copy, so callers never share state with the server.
/// </summary>
public sealed class InMemorySyncTransport : ISyncTransport
{
    /// <summary>The largest page <see cref="PullAsync"/> answers, as the protocol's <c>limit</c> maximum.</summary>
    public const int MaxPullLimit = 5000;

    private readonly IScheduler _scheduler;
    private readonly object _gate = new();
    private readonly Dictionary<(ResourceType Type, string Id), StoredResource> _resources = [];
    private readonly Dictionary<(string ClientId, Guid OperationId), PushResult> _answers = [];
    private readonly Dictionary<string, StoredContent> _contents = new(StringComparer.Ordinal);
    private readonly Dictionary<ResourceType, Func<OfflineOperation, string?>> _validators = [];
    private readonly Queue<InjectedFailure> _pushFailures = new();
    private readonly Queue<SyncError> _pullFailures = new();
    private TaskCompletionSource? _pushHold;
    private TaskCompletionSource? _pullHold;
    private TimeSpan _serverClockOffset;
    private long _sequence;
    private long _contentVersion;
    private int _pushCount;
    private int _pullCount;
    private int _operationsReceived;
    private int _operationsApplied;
    private int _heldPushes;
    private int _heldPulls;

    /// <summary>
    /// The content this server stores (by <see cref="UploadContentAsync"/>), served as the protocol's content endpoint
    /// serves it: a strong entity tag per upload, a range only while <c>If-Range</c> matches, 404 for missing content.
    /// Give it to <see cref="SyncEngineOptions.ContentSource"/> to test downloads without a network.
    /// </summary>
    public IContentSource ContentSource { get; }

    /// <summary>Creates an empty server whose clock is <paramref name="scheduler"/>'s <c>Now</c>.</summary>
    public InMemorySyncTransport(IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(scheduler);
        _scheduler = scheduler;
        ContentSource = new StoredContentSource(this);
    }

    /// <summary>
    /// The server clock minus the client clock. Settable to simulate a device whose clock is wrong; the server stamps
    /// <c>updatedAt</c> with the scheduler's <c>Now</c> plus this offset.
    /// </summary>
    public TimeSpan ServerClockOffset
    {
        get { lock (_gate) { return _serverClockOffset; } }
        set { lock (_gate) { _serverClockOffset = value; } }
    }

    /// <summary>How long each push and pull takes, waited on the scheduler before the server acts; zero by default.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The largest content upload accepted, in bytes; larger uploads fail with QuotaExceeded (413). Null: no limit.</summary>
    public long? MaxContentBytes { get; set; }

    /// <summary>Push calls received, including those answered with an injected failure.</summary>
    public int PushCount { get { lock (_gate) { return _pushCount; } } }

    /// <summary>Pull calls received, including those answered with an injected failure.</summary>
    public int PullCount { get { lock (_gate) { return _pullCount; } } }

    /// <summary>Operations received in pushes that reached the server's logic (not those failed before it).</summary>
    public int OperationsReceived { get { lock (_gate) { return _operationsReceived; } } }

    /// <summary>Operations answered <see cref="PushStatus.Applied"/> (each id counts once; duplicates are not counted).</summary>
    public int OperationsApplied { get { lock (_gate) { return _operationsApplied; } } }

    /// <summary>Pushes waiting because of <see cref="HoldPushes"/>.</summary>
    public int HeldPushes { get { lock (_gate) { return _heldPushes; } } }

    /// <summary>How many pulls are waiting in <see cref="HoldPulls"/> right now.</summary>
    public int HeldPulls { get { lock (_gate) { return _heldPulls; } } }

    /// <summary>The current change sequence (the checkpoint of the latest change); 0 when nothing changed.</summary>
    public long CurrentSequence { get { lock (_gate) { return _sequence; } } }

    /// <summary>
    /// Registers a validator for a resource type: it returns null to accept an operation or a message to reject it
    /// (answered <see cref="PushStatus.Rejected"/> with a Validation error). Replaces an earlier one for the type.
    /// </summary>
    public void SetValidator(ResourceType resourceType, Func<OfflineOperation, string?> validator)
    {
        ArgumentNullException.ThrowIfNull(validator);
        if (!resourceType.IsValid)
        {
            throw new ArgumentException("The resource type is invalid (default).", nameof(resourceType));
        }

        lock (_gate)
        {
            _validators[resourceType] = validator;
        }
    }

    /// <summary>
    /// Makes a coming push fail with <paramref name="error"/> (thrown as <see cref="SyncException"/>); failures queue up
    /// and each push takes the next one. With <paramref name="afterApplying"/> the server applies the batch first and
    /// the answer is lost on the way back, as when a connection drops mid-response.
    /// </summary>
    public void EnqueuePushFailure(SyncError error, bool afterApplying = false)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            _pushFailures.Enqueue(new InjectedFailure(error, afterApplying));
        }
    }

    /// <summary>Makes a coming push fail with an error of <paramref name="type"/> (retryable when Network) and an optional Retry-After.</summary>
    public void EnqueuePushFailure(SyncErrorType type, TimeSpan? retryAfter = null, bool afterApplying = false) =>
        EnqueuePushFailure(SyncError.Of(type, $"Injected {type} failure.", retryAfter), afterApplying);

    /// <summary>Makes a coming pull fail with <paramref name="error"/>; failures queue up.</summary>
    public void EnqueuePullFailure(SyncError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        lock (_gate)
        {
            _pullFailures.Enqueue(error);
        }
    }

    /// <summary>Makes pushes wait, before the server acts, until <see cref="ReleaseHeldPushes"/> (or their cancellation).</summary>
    public void HoldPushes()
    {
        lock (_gate)
        {
            _pushHold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets held pushes go on and stops holding new ones.</summary>
    public void ReleaseHeldPushes()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _pushHold;
            _pushHold = null;
        }

        hold?.TrySetResult();
    }

    /// <summary>Makes pulls wait, before the server answers, until <see cref="ReleaseHeldPulls"/> (or their cancellation).</summary>
    public void HoldPulls()
    {
        lock (_gate)
        {
            _pullHold ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    /// <summary>Lets held pulls go on and stops holding new ones.</summary>
    public void ReleaseHeldPulls()
    {
        TaskCompletionSource? hold;
        lock (_gate)
        {
            hold = _pullHold;
            _pullHold = null;
        }

        hold?.TrySetResult();
    }

    /// <summary>
    /// Writes a resource on the server directly, as another client would (to create conflicts): stores
    /// <paramref name="data"/> as the whole resource, version + 1, a new change sequence and <c>updatedAt</c>.
    /// </summary>
    /// <returns>The resource as stored.</returns>
    public ServerChange PutResource(ResourceType resourceType, string resourceId, JsonNode data)
    {
        ArgumentNullException.ThrowIfNull(data);
        var key = Key(resourceType, resourceId);
        lock (_gate)
        {
            _resources.TryGetValue(key, out var current);
            var stored = Store(key, data.DeepClone(), deleted: false, (current?.Version ?? 0) + 1);
            return ToChange(key, stored);
        }
    }

    /// <summary>Soft-deletes a resource on the server directly; answers null when it does not exist.</summary>
    public ServerChange? DeleteResource(ResourceType resourceType, string resourceId)
    {
        var key = Key(resourceType, resourceId);
        lock (_gate)
        {
            if (!_resources.TryGetValue(key, out var current))
            {
                return null;
            }

            return ToChange(key, current.Deleted ? current : Store(key, null, deleted: true, current.Version + 1));
        }
    }

    /// <summary>The server's current copy of a resource (deleted ones included), or null when it never existed.</summary>
    public ServerChange? GetResource(ResourceType resourceType, string resourceId)
    {
        var key = Key(resourceType, resourceId);
        lock (_gate)
        {
            return _resources.TryGetValue(key, out var stored) ? ToChange(key, stored) : null;
        }
    }

    /// <summary>Every resource the server holds (deleted ones included), in change-sequence order.</summary>
    public IReadOnlyList<ServerChange> GetResources()
    {
        lock (_gate)
        {
            return _resources.OrderBy(static r => r.Value.Sequence).Select(r => ToChange(r.Key, r.Value)).ToList();
        }
    }

    /// <summary>Whether the server recorded an answer for (client id, operation id), i.e. applied that operation.</summary>
    public bool HasApplied(string clientId, Guid operationId)
    {
        lock (_gate)
        {
            return _answers.ContainsKey((clientId, operationId));
        }
    }

    /// <summary>The bytes uploaded for a resource, or null when none.</summary>
    public byte[]? GetContent(string resourceId)
    {
        ArgumentNullException.ThrowIfNull(resourceId);
        lock (_gate)
        {
            return _contents.TryGetValue(resourceId, out var content) ? content.Bytes.ToArray() : null;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="SyncException">An injected failure.</exception>
    public async Task<IReadOnlyList<PushResult>> PushAsync(
        string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(clientId);
        ArgumentNullException.ThrowIfNull(operations);
        for (var i = 0; i < operations.Count; i++)
        {
            if (operations[i] is null)
            {
                throw new ArgumentException($"operations[{i}] is null.", nameof(operations));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource? hold;
        InjectedFailure? failure;
        lock (_gate)
        {
            _pushCount++;
            hold = _pushHold;
            if (hold is not null)
            {
                _heldPushes++;
            }

            failure = _pushFailures.TryDequeue(out var next) ? next : null;
        }

        if (hold is not null)
        {
            try
            {
                await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _heldPushes--;
                }
            }
        }

        await WaitLatencyAsync(cancellationToken).ConfigureAwait(false);
        if (failure is { AfterApplying: false })
        {
            throw new SyncException(failure.Error);
        }

        List<PushResult> results;
        lock (_gate)
        {
            _operationsReceived += operations.Count;
            results = new List<PushResult>(operations.Count);
            foreach (var operation in operations)
            {
                results.Add(Apply(clientId, operation));
            }
        }

        if (failure is not null)
        {
            throw new SyncException(failure.Error);
        }

        return results;
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is below 1 or <paramref name="checkpoint"/> is negative.</exception>
    /// <exception cref="SyncException">An injected failure.</exception>
    public async Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (checkpoint < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(checkpoint), checkpoint, "The checkpoint must not be negative.");
        }

        cancellationToken.ThrowIfCancellationRequested();
        SyncError? failure;
        TaskCompletionSource? hold;
        lock (_gate)
        {
            _pullCount++;
            hold = _pullHold;
            if (hold is not null)
            {
                _heldPulls++;
            }

            failure = _pullFailures.TryDequeue(out var next) ? next : null;
        }

        if (hold is not null)
        {
            try
            {
                await hold.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                lock (_gate)
                {
                    _heldPulls--;
                }
            }
        }

        await WaitLatencyAsync(cancellationToken).ConfigureAwait(false);
        if (failure is not null)
        {
            throw new SyncException(failure);
        }

        var since = checkpoint ?? 0;
        var pageSize = Math.Min(limit, MaxPullLimit);
        lock (_gate)
        {
            var after = _resources.Where(r => r.Value.Sequence > since).OrderBy(static r => r.Value.Sequence).ToList();
            var page = after.Take(pageSize).Select(r => ToChange(r.Key, r.Value)).ToList();
            var last = page.Count == 0 ? since : after[page.Count - 1].Value.Sequence;
            return new PullPage(page, last, after.Count > page.Count);
        }
    }

    /// <inheritdoc/>
    /// <exception cref="SyncException">QuotaExceeded when the content is larger than <see cref="MaxContentBytes"/>.</exception>
    public async Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        ArgumentNullException.ThrowIfNull(content);
        using var buffer = new MemoryStream();
        await content.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        var limit = MaxContentBytes;
        if (limit is not null && buffer.Length > limit)
        {
            throw new SyncException(SyncError.Of(
                SyncErrorType.QuotaExceeded, $"Content of {buffer.Length} bytes exceeds the server's limit of {limit} bytes.", statusCode: 413));
        }

        lock (_gate)
        {
            _contents[resourceId] = new StoredContent(buffer.ToArray(), contentType, $"\"c{++_contentVersion}\"");

            // As the protocol says: resources with this id get a new change sequence, so a pull sees the new content.
            foreach (var key in _resources.Keys.Where(k => k.Id == resourceId).ToList())
            {
                _resources[key] = _resources[key] with { Sequence = ++_sequence };
            }
        }
    }

    private async Task WaitLatencyAsync(CancellationToken cancellationToken)
    {
        var latency = Latency;
        if (latency > TimeSpan.Zero)
        {
            await Observable.Timer(latency, _scheduler).ToTask(cancellationToken).ConfigureAwait(false);
        }
    }

    // Runs under _gate: one operation's server logic, recording the answer when the server changed something.
    private PushResult Apply(string clientId, OfflineOperation operation)
    {
        if (_answers.TryGetValue((clientId, operation.Id), out var first))
        {
            return CopyOf(first) with { Status = PushStatus.Duplicate };
        }

        if (_validators.TryGetValue(operation.ResourceType, out var validator) && validator(operation) is { } message)
        {
            return new PushResult
            {
                OperationId = operation.Id,
                Status = PushStatus.Rejected,
                Error = SyncError.Of(SyncErrorType.Validation, message, statusCode: 422),
            };
        }

        var key = (operation.ResourceType, operation.ResourceId);
        _resources.TryGetValue(key, out var current);
        var live = current is { Deleted: false };
        StoredResource? changed = null;
        switch (operation.Type)
        {
            case OperationType.Create:
                if (live)
                {
                    return Conflict(operation.Id, current);
                }

                changed = Store(key, operation.Data?.DeepClone() ?? new JsonObject(), deleted: false, (current?.Version ?? 0) + 1);
                break;

            case OperationType.Update:
                if (!live || (operation.BaseVersion is { } updateBase && updateBase != current!.Version))
                {
                    return Conflict(operation.Id, current);
                }

                changed = Store(key, JsonMergePatch.Apply(current!.Data, operation.Data), deleted: false, current.Version + 1);
                break;

            case OperationType.Delete:
                if (!live)
                {
                    break; // Deleting what is gone is the requested end state: applied, nothing changes.
                }

                if (operation.BaseVersion is { } deleteBase && deleteBase != current!.Version)
                {
                    return Conflict(operation.Id, current);
                }

                changed = Store(key, null, deleted: true, current!.Version + 1);
                break;

            case OperationType.Upload:
                changed = Store(key, JsonMergePatch.Apply(live ? current!.Data : null, operation.Data), deleted: false, (current?.Version ?? 0) + 1);
                break;

            case OperationType.Download:
                break;

            default:
                return new PushResult
                {
                    OperationId = operation.Id,
                    Status = PushStatus.Rejected,
                    Error = SyncError.Of(SyncErrorType.Validation, $"Unknown operation type {operation.Type}.", statusCode: 400),
                };
        }

        var after = changed ?? current;
        if (changed is not null)
        {
            _operationsApplied++;
        }

        var answer = new PushResult
        {
            OperationId = operation.Id,
            Status = PushStatus.Applied,
            Version = after?.Version,
            ServerUpdatedAt = after?.UpdatedAt,
        };

        // Only an answer that reflects the server's end state is recorded: a conflict or rejection changed nothing,
        // and the client must be able to send the same id again once it has resolved or fixed it.
        _answers[(clientId, operation.Id)] = answer;
        return CopyOf(answer);
    }

    private static PushResult Conflict(Guid operationId, StoredResource? current) => new()
    {
        OperationId = operationId,
        Status = PushStatus.Conflict,
        Version = current?.Version,
        ServerData = current is { Deleted: false } ? current.Data?.DeepClone() : null,
        ServerDeleted = current is null or { Deleted: true },
        ServerUpdatedAt = current?.UpdatedAt,
    };

    // Runs under _gate.
    private StoredResource Store((ResourceType Type, string Id) key, JsonNode? data, bool deleted, long version)
    {
        var stored = new StoredResource(data, deleted, version, _scheduler.Now + _serverClockOffset, ++_sequence);
        _resources[key] = stored;
        return stored;
    }

    // Runs under _gate.
    private ServerChange ToChange((ResourceType Type, string Id) key, StoredResource stored)
    {
        var content = _contents.TryGetValue(key.Id, out var found) ? found : null;
        return new ServerChange
        {
            ResourceType = key.Type,
            ResourceId = key.Id,
            Version = stored.Version,
            Data = stored.Data?.DeepClone(),
            Deleted = stored.Deleted,
            UpdatedAt = stored.UpdatedAt,
            ContentUrl = content is null ? null : "/sync/content/" + Uri.EscapeDataString(key.Id),
            ContentSize = content?.Bytes.Length,
        };
    }

    private static PushResult CopyOf(PushResult result) => result with { ServerData = result.ServerData?.DeepClone() };

    private static (ResourceType, string) Key(ResourceType resourceType, string resourceId)
    {
        if (!resourceType.IsValid)
        {
            throw new ArgumentException("The resource type is invalid (default).", nameof(resourceType));
        }

        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return (resourceType, resourceId);
    }

    private sealed record StoredResource(JsonNode? Data, bool Deleted, long Version, DateTimeOffset UpdatedAt, long Sequence);

    private sealed record StoredContent(byte[] Bytes, string? ContentType, string ETag);

    /// <summary>Reads the server's stored content as <see cref="IContentSource"/>; each response is a copy.</summary>
    private sealed class StoredContentSource(InMemorySyncTransport server) : IContentSource
    {
        public Task<ContentInfo> GetInfoAsync(string resourceId, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(resourceId);
            cancellationToken.ThrowIfCancellationRequested();
            return Find(resourceId) is { } content
                ? Task.FromResult(new ContentInfo(content.Bytes.Length, content.ETag, IsStrongETag: true))
                : Task.FromException<ContentInfo>(NotFound(resourceId));
        }

        public Task<ContentResponse> OpenReadAsync(string resourceId, long offset, string? ifRangeETag, CancellationToken cancellationToken)
        {
            ArgumentException.ThrowIfNullOrEmpty(resourceId);
            ArgumentOutOfRangeException.ThrowIfNegative(offset);
            cancellationToken.ThrowIfCancellationRequested();
            if (Find(resourceId) is not { } content)
            {
                return Task.FromException<ContentResponse>(NotFound(resourceId));
            }

            var partial = offset > 0 && offset <= content.Bytes.Length && ifRangeETag == content.ETag;
            var start = partial ? (int)offset : 0;
            var stream = new MemoryStream(content.Bytes, start, content.Bytes.Length - start, writable: false);
            return Task.FromResult(new ContentResponse(stream, start, content.Bytes.Length, content.ETag, isStrongETag: true, partial));
        }

        private static SyncException NotFound(string resourceId) =>
            new(SyncError.Of(SyncErrorType.Unknown, $"The server has no content for '{resourceId}'.", statusCode: 404));

        private StoredContent? Find(string resourceId)
        {
            lock (server._gate)
            {
                return server._contents.GetValueOrDefault(resourceId);
            }
        }
    }

    private sealed record InjectedFailure(SyncError Error, bool AfterApplying);
}
