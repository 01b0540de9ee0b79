using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reactive.Concurrency;
using ReactiveSync.Downloads;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Demo;

/// <summary>
/// One device of the demo: a real engine on its own SQLite files, a real HTTP transport to the server, and a network
/// monitor the demo switches to play "offline" (the transport itself is never faked).
/// </summary>
internal sealed class Device : IAsyncDisposable
{
    private readonly IDemoView _view;
    private readonly HttpSyncTransport _http;
    private readonly SqliteKeyValueStore _keyValues;
    private readonly SqliteReplicaStore _replica;
    private readonly SqliteDownloadStore _downloadStore;
    private readonly List<(string ResourceId, string Title)> _downloads = [];
    private readonly ConcurrentDictionary<string, string> _titles = new(StringComparer.Ordinal);
    private readonly List<IDisposable> _subscriptions = [];
    private QueueStats _stats = QueueStats.Empty;
    private int _syncing;

    private Device(
        string name,
        string label,
        string folder,
        IDemoView view,
        InMemoryNetworkMonitor network,
        HttpSyncTransport http,
        SqliteKeyValueStore keyValues,
        SqliteReplicaStore replica,
        SqliteDownloadStore downloadStore,
        DeviceCounters counters)
    {
        Name = name;
        Label = label;
        Folder = folder;
        _view = view;
        Network = network;
        _http = http;
        _keyValues = keyValues;
        _replica = replica;
        _downloadStore = downloadStore;
        Counters = counters;
        Transport = new CountingTransport(http, counters, Log, Title);
    }

    /// <summary>A short name for logs, e.g. "phone".</summary>
    public string Name { get; }

    /// <summary>What the device is, e.g. "Ana's phone".</summary>
    public string Label { get; }

    /// <summary>The folder of its SQLite files.</summary>
    public string Folder { get; }

    /// <summary>The switch the demo uses for offline and online.</summary>
    public InMemoryNetworkMonitor Network { get; }

    /// <summary>The device's transport (the real HTTP one, watched).</summary>
    public CountingTransport Transport { get; }

    /// <summary>The engine.</summary>
    public SyncEngine Engine { get; private set; } = null!;

    /// <summary>What it did.</summary>
    public DeviceCounters Counters { get; }

    /// <summary>What the device shows its user, for the convergence check.</summary>
    public ILocalView LocalView { get; private set; } = null!;

    /// <summary>The downloads the user asked for: resource id and a name.</summary>
    public IReadOnlyList<(string ResourceId, string Title)> Downloads
    {
        get
        {
            lock (_downloads)
            {
                return [.. _downloads];
            }
        }
    }

    /// <summary>The queue's latest counts.</summary>
    public QueueStats Stats => Volatile.Read(ref _stats);

    /// <summary>Whether a sync is running now.</summary>
    public bool IsSyncing => Volatile.Read(ref _syncing) != 0;

    /// <summary>Whether the demo has it online.</summary>
    public bool IsOnline => Network.Current.IsOnline;

    /// <summary>
    /// Builds the device: its stores under <paramref name="folder"/> (operations, replica, downloads, key-values, each a
    /// SQLite file; downloaded content in <c>content/</c>), its transport to <paramref name="server"/>, its engine.
    /// </summary>
    /// <param name="types">The resource types whose local view the convergence check reads, besides the well-known ones.</param>
    public static async Task<Device> CreateAsync(
        string name,
        string label,
        string folder,
        Uri server,
        SyncConfiguration configuration,
        IDemoView view,
        Func<IEnumerable<string>> types,
        CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(folder);
        var counters = new DeviceCounters();
        var network = new InMemoryNetworkMonitor(online: false);
        var http = new HttpSyncTransport(
            server,
            new StaticAccessTokenProvider($"demo-token-{name}"),
            DefaultScheduler.Instance,
            new HttpSyncTransportOptions { Timeout = TimeSpan.FromSeconds(15), UserAgent = "ReactiveSyncDemo/1.0" });
        var device = new Device(
            name,
            label,
            folder,
            view,
            network,
            http,
            new SqliteKeyValueStore(Path.Combine(folder, "state.db"), DefaultScheduler.Instance),
            new SqliteReplicaStore(Path.Combine(folder, "replica.db")),
            new SqliteDownloadStore(Path.Combine(folder, "downloads.db")),
            counters);
        try
        {
            await device._keyValues.OpenAsync(cancellationToken).ConfigureAwait(false);
            await device._replica.OpenAsync(cancellationToken).ConfigureAwait(false);
            await device._downloadStore.OpenAsync(cancellationToken).ConfigureAwait(false);
            device.Engine = await SyncEngine.CreateAsync(
                new SyncEngineOptions
                {
                    OperationStore = new SqliteOperationStore(Path.Combine(folder, "operations.db")),
                    Transport = device.Transport,
                    NetworkMonitor = network,
                    ClientId = $"demo-{name}-{Guid.CreateVersion7():N}",
                    Scheduler = DefaultScheduler.Instance,
                    Configuration = configuration,
                    KeyValueStore = device._keyValues,
                    ReplicaStore = device._replica,
                    DownloadStore = device._downloadStore,
                    ContentSource = new WatchedContentSource(http.ContentSource, counters, device.Log, device.Title),
                    ContentRoot = Path.Combine(folder, "content"),
                },
                cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await device.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        device.LocalView = new ReplicaView(device.Engine, types);
        device.Subscribe();
        return device;
    }

    /// <summary>Remembers a human name for a resource, for the logs.</summary>
    public void Remember(ResourceType type, string id, string title) => _titles[ResourceKey.Of(type, id).ToString()] = title;

    /// <summary>The human name of a media attachment (what uploads and downloads carry), or its id.</summary>
    public string Title(string mediaAttachmentId) =>
        _titles.TryGetValue(ResourceKey.Of(ResourceType.MediaAttachment, mediaAttachmentId).ToString(), out var title) ? title : mediaAttachmentId;

    /// <summary>The human name of a resource, or its key.</summary>
    public string Describe(ResourceType type, string id) =>
        _titles.TryGetValue(ResourceKey.Of(type, id).ToString(), out var title) ? $"{type.Value} \"{title}\"" : $"{type.Value}/{id}";

    /// <summary>
    /// Queues what the user did through the engine (which takes an Update's base version and copy from the replica);
    /// counts whether it was stored, folded into a pending operation, or cancelled a pending create.
    /// </summary>
    public async Task<QueueResult> QueueAsync(OperationRequest request, CancellationToken cancellationToken)
    {
        var id = request.Id ?? Guid.CreateVersion7();
        var operation = await Engine.QueueOperationAsync(request with { Id = id }, cancellationToken).ConfigureAwait(false);
        Counters.AddQueued();
        var outcome = QueueOutcome.Added;
        if (operation.Id != id)
        {
            // Folded: the engine answers the pending operation that absorbed the request.
            outcome = QueueOutcome.Coalesced;
            Counters.AddCoalesced();
        }
        else if (request.Type == OperationType.Delete && await Engine.OperationQueue.GetOperationAsync(id, cancellationToken).ConfigureAwait(false) is null)
        {
            // A delete that is not stored cancelled the pending create of the same resource (the demo's deletes are queued offline).
            outcome = QueueOutcome.Cancelled;
            Counters.AddCancelled();
        }

        return new QueueResult(operation, outcome);
    }

    /// <summary>Asks for the content of <paramref name="items"/> to be downloaded for offline use, and logs how each goes.</summary>
    public async Task DownloadAsync(IReadOnlyList<(string ResourceId, string Title)> items, CancellationToken cancellationToken)
    {
        var manager = Engine.DownloadManager ?? throw new InvalidOperationException("The engine was built without downloads.");
        lock (_downloads)
        {
            _downloads.AddRange(items);
        }

        foreach (var (resourceId, title) in items)
        {
            var last = (DownloadState?)null;
            var started = false;
            _subscriptions.Add(manager.Progress(resourceId).Subscribe(progress =>
            {
                if (progress.State == last)
                {
                    return;
                }

                last = progress.State;
                var size = progress.TotalBytes is { } total ? $"{total / 1024.0:0} KB" : "unknown size";
                switch (progress.State)
                {
                    case DownloadState.Downloading when !started:
                        started = true;
                        Log($"download of \"{title}\" started ({size})", LogKind.Info);
                        break;
                    case DownloadState.Completed:
                        Log($"download of \"{title}\" complete ({size})", LogKind.Success);
                        break;
                    case DownloadState.Failed:
                        Log($"download of \"{title}\" failed: {manager.Get(resourceId)?.ErrorMessage}", LogKind.Warning);
                        break;
                }
            }));
        }

        await Engine.DownloadForOfflineAsync(items.Select(i => i.ResourceId), SyncPriority.Medium, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Waits until every download asked for is complete or failed for good; answers whether that happened in time.</summary>
    public async Task<bool> WaitForDownloadsAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var manager = Engine.DownloadManager;
        if (manager is null)
        {
            return true;
        }

        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (Downloads.All(d => manager.Get(d.ResourceId)?.State is DownloadState.Completed or DownloadState.Failed))
            {
                return true;
            }

            if (clock.Elapsed > timeout)
            {
                Log($"downloads still running after {timeout.TotalSeconds:0} s", LogKind.Error);
                return false;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Switches the device's network.</summary>
    public void SetOnline(bool online) => Network.SetOnline(online);

    /// <summary>
    /// Waits until the queue has nothing pending or in flight and no sync runs. Failed operations are sent again, as a
    /// user would tap "retry", up to three times. Answers whether the queue ended empty (nothing failed, nothing parked).
    /// </summary>
    public async Task<bool> WaitUntilSettledAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var userRetries = 0;
        while (true)
        {
            var stats = await Engine.OperationQueue.GetQueueStatsAsync(cancellationToken).ConfigureAwait(false);
            if (stats.Pending + stats.InFlight == 0 && !IsSyncing)
            {
                if (stats.Failed > 0 && userRetries < 3)
                {
                    userRetries++;
                    var count = await Engine.RetryFailedOperationsAsync(cancellationToken).ConfigureAwait(false);
                    Counters.AddRetriedByUser(count);
                    Log($"{count} operations used up their retries; the user taps \"retry\"", LogKind.Warning);
                    continue;
                }

                return stats.Total == 0;
            }

            if (clock.Elapsed > timeout)
            {
                Log($"still {stats.Pending + stats.InFlight} operations pending after {timeout.TotalSeconds:0} s", LogKind.Error);
                return false;
            }

            await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Runs one more sync now (it pulls what the other device pushed), retrying a sync the server failed.</summary>
    public async Task<bool> CatchUpAsync(CancellationToken cancellationToken)
    {
        for (var attempt = 1; attempt <= 8; attempt++)
        {
            var result = await Engine.SyncNowAsync(cancellationToken).ConfigureAwait(false);
            if (result.Success)
            {
                return true;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), cancellationToken).ConfigureAwait(false);
        }

        return false;
    }

    /// <summary>Logs for this device.</summary>
    public void Log(string message, LogKind kind) => _view.Log(Name, message, kind);

    public async ValueTask DisposeAsync()
    {
        foreach (var subscription in _subscriptions)
        {
            subscription.Dispose();
        }

        if (Engine is not null)
        {
            await Engine.DisposeAsync().ConfigureAwait(false);
        }

        await _downloadStore.DisposeAsync().ConfigureAwait(false);
        await _replica.DisposeAsync().ConfigureAwait(false);
        await _keyValues.DisposeAsync().ConfigureAwait(false);
        _http.Dispose();
        Network.Dispose();
    }

    private void Subscribe()
    {
        _subscriptions.Add(Engine.OperationQueue.Stats.Subscribe(stats => Volatile.Write(ref _stats, stats)));
        _subscriptions.Add(Engine.Events.Subscribe(OnEvent));
    }

    private void OnEvent(SyncEvent syncEvent)
    {
        switch (syncEvent)
        {
            case SyncStarted:
                Volatile.Write(ref _syncing, 1);
                Counters.AddSync();
                break;

            case SyncCompleted { Result: var result }:
                Counters.AddApplied(result.ProcessedOperations);
                Counters.AddRetried(result.RetriedOperations);
                Volatile.Write(ref _syncing, 0);
                if (result.ProcessedOperations + result.RetriedOperations + result.FailedOperations + result.Conflicts.Count + result.PulledChanges > 0)
                {
                    var parts = new List<string> { $"{result.ProcessedOperations} applied" };
                    if (result.RetriedOperations > 0)
                    {
                        parts.Add($"{result.RetriedOperations} to retry");
                    }

                    if (result.FailedOperations > 0)
                    {
                        parts.Add($"{result.FailedOperations} failed");
                    }

                    if (result.Conflicts.Count > 0)
                    {
                        parts.Add($"{result.Conflicts.Count} conflicts");
                    }

                    if (result.PulledChanges > 0)
                    {
                        parts.Add($"{result.PulledChanges} pulled");
                    }

                    Log($"sync done in {result.Duration.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture)} s: {string.Join(", ", parts)}", result.Success ? LogKind.Success : LogKind.Warning);
                }

                break;

            case ConflictDetected { Conflict: var conflict }:
                var outcome = ConflictOutcomes.Of(conflict);
                Counters.AddConflict(outcome);
                var fields = conflict.ConflictingFields.Count > 0 ? $"; both changed: {string.Join(", ", conflict.ConflictingFields)}" : string.Empty;
                Log($"conflict on {Describe(conflict.ResourceType, conflict.ResourceId)} -> {conflict.Strategy}: {ConflictOutcomes.Describe(outcome)}{fields}", LogKind.Conflict);
                if (conflict.Note is { } note)
                {
                    Log($"  why: {note}", LogKind.Info);
                }
                break;

            case NetworkStatusChanged { IsOnline: var online }:
                Log(online ? "network: online" : "network: offline", online ? LogKind.Success : LogKind.Info);
                break;

            case ReactiveSync.Events.StorageQuotaExceeded { UsageBytes: var usage, LimitBytes: var limit }:
                Log($"storage quota reached: {usage / 1024.0:0} KB of {limit / 1024.0:0} KB in use; the download that does not fit is refused", LogKind.Warning);
                break;

            case AuthenticationRequired { Error: var error }:
                Log($"the server refused the credentials: {error.Message}", LogKind.Error);
                break;
        }
    }
}
