using System.Buffers;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Background;
using ReactiveSync.Collections;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Pull;
using ReactiveSync.Reactive;

namespace ReactiveSync.Downloads;

/// <summary>
/// Downloads resource content for offline use (the seed's <c>ContentDownloadManager</c>): a bounded number at once in
/// priority order, held while offline and resumed after, resumed with <c>Range</c>/<c>If-Range</c> on a strong entity tag
/// and restarted cleanly when the server's copy changed, within a storage quota, large ones held for Wi-Fi where configured.
/// </summary>
/// <remarks>
/// <para>Bytes go to a partial file under the content root, written on the thread pool while the next bytes are read.
/// A download of known size starting from zero first reserves its whole size on disk (a full disk fails it at once);
/// the file is flushed to disk (fsync) every 8 MiB on another thread, and progress is stored only for bytes already
/// flushed (at most every 64 MiB or second of scheduler time), so a crash resumes from a consistent point. A finished
/// file is flushed, renamed into place and only then marked complete. File names are hashes of the resource ids: no id can leave the content root or collide with another.</para>
/// <para>Quota: a download's expected size is reserved when it is requested; one that would pass
/// <see cref="SyncConfiguration.StorageQuotaBytes"/> is not started (it is stored as Failed) and
/// <see cref="QuotaExceeded"/> emits. A download of unknown size is checked while it writes, and its partial file is
/// removed when it would pass. A failed download keeps no bytes and reserves no space.</para>
/// <para>Retryable failures (a connection cut mid-file) are retried with backoff on the scheduler from the bytes already
/// kept; the retry budget (<see cref="SyncConfiguration.MaxRetries"/>) is reset whenever bytes arrive.</para>
/// <para>Thread-safe. Status views (<see cref="Connect"/>, <see cref="Progress"/>) emit on the thread that changed the
/// download; subscribers must not block.</para>
/// </remarks>
public sealed class ContentDownloadManager : IAsyncDisposable
{
    private const int BufferSize = 1 << 20;
    // Small enough that the disk writes while the network reads and the last flush, which the rename waits for, is short.
    // Measured with the download benchmark, nine runs each, alternating: 8 MiB averaged 779 MB/s, 16 MiB 718 MB/s;
    // 4 MiB was no faster.
    internal const long FlushEveryBytes = 8L << 20;
    private const long PersistEveryBytes = 64L << 20;
    private static readonly TimeSpan PersistInterval = TimeSpan.FromSeconds(1);
    private const long PublishEveryBytes = 256L << 10;
    private static readonly TimeSpan ProgressInterval = TimeSpan.FromMilliseconds(100);

    private readonly IContentSource _source;
    private readonly IDownloadStore _store;
    private readonly IReplicaStore? _replica;
    private readonly SyncConfiguration _configuration;
    private readonly IScheduler _scheduler;
    private readonly ILogger _logger;
    private readonly ContentFileNames _files;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly SourceCache<DownloadRecord, string> _cache = new(static r => r.ResourceId);
    private readonly Subject<StorageQuotaExceeded> _quotaExceeded = new();
    private readonly CompositeDisposable _subscriptions = [];
    private long _nextOrder;
    private bool _online;
    private NetworkKind _networkKind = NetworkKind.Unknown;
    private bool _useDeviceNetworkKind;
    private bool _disposed;

    private ContentDownloadManager(
        IContentSource source,
        IDownloadStore store,
        IReplicaStore? replica,
        SyncConfiguration configuration,
        IScheduler scheduler,
        string contentRoot,
        ILogger logger)
    {
        _source = source;
        _store = store;
        _replica = replica;
        _configuration = configuration;
        _scheduler = scheduler;
        _logger = logger;
        _files = new ContentFileNames(contentRoot);
    }

    private enum StopReason
    {
        None,
        Offline,
        WaitForWiFi,
        Removed,
        Shutdown,
    }

    private enum Outcome
    {
        Completed,
        Stopped,
        QuotaExceeded,
        Error,
    }

    /// <summary>The folder every downloaded file lives in (absolute).</summary>
    public string ContentRoot => _files.Root;

    /// <summary>
    /// Emits when a download was refused or stopped because it would pass the quota (the engine turns it into its
    /// <c>StorageQuotaExceeded(usage, limit)</c> event). Emits after the download's state was stored.
    /// </summary>
    public IObservable<StorageQuotaExceeded> QuotaExceeded => _quotaExceeded.AsObservable();

    /// <summary>
    /// Opens a manager: creates the content root, loads the stored downloads (those interrupted by a crash resume from
    /// their flushed bytes) and starts downloading while <paramref name="network"/> says online.
    /// </summary>
    /// <param name="source">Reads content from the server.</param>
    /// <param name="store">Keeps the downloads' state.</param>
    /// <param name="contentRoot">The folder files are written to; created when missing.</param>
    /// <param name="configuration">Concurrency, quota, Wi-Fi limit and retry settings.</param>
    /// <param name="scheduler">Time and timers (progress throttling, retry delays, timestamps).</param>
    /// <param name="network">Online or offline; downloads are held while offline.</param>
    /// <param name="replica">Where <see cref="DownloadForOfflineAsync(IEnumerable{string}, SyncPriority, CancellationToken)"/> finds urls and sizes; null when every request is explicit.</param>
    /// <param name="device">The device's network kind for the Wi-Fi limit; null uses <paramref name="network"/>'s kind.</param>
    /// <param name="logger">Logs failures.</param>
    /// <param name="cancellationToken">Cancels opening.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="contentRoot"/> is empty.</exception>
    /// <exception cref="SyncConfigurationException">The configuration is invalid.</exception>
    public static async Task<ContentDownloadManager> OpenAsync(
        IContentSource source,
        IDownloadStore store,
        string contentRoot,
        SyncConfiguration configuration,
        IScheduler scheduler,
        INetworkMonitor network,
        IReplicaStore? replica = null,
        IDeviceStateMonitor? device = null,
        ILogger<ContentDownloadManager>? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentException.ThrowIfNullOrWhiteSpace(contentRoot);
        ArgumentNullException.ThrowIfNull(configuration);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentNullException.ThrowIfNull(network);
        configuration.Validate();

        var manager = new ContentDownloadManager(source, store, replica, configuration, scheduler, contentRoot, (ILogger?)logger ?? NullLogger.Instance);
        Directory.CreateDirectory(manager._files.Root);
        var rows = await store.GetAllAsync(cancellationToken).ConfigureAwait(false);
        lock (manager._gate)
        {
            foreach (var row in rows)
            {
                // Interrupted or held downloads start again as pending; the pump decides what holds them now.
                var record = row.State is DownloadState.Downloading or DownloadState.Paused or DownloadState.WaitingForWiFi
                    ? row with { State = DownloadState.Pending }
                    : row;
                manager._entries[record.ResourceId] = new Entry(record) { Flushed = record.DownloadedSize, Received = record.DownloadedSize };
                manager._nextOrder = Math.Max(manager._nextOrder, record.Order + 1);
            }

            manager._cache.AddOrUpdate(manager._entries.Values.Select(static e => e.Record).ToList());
        }

        manager._useDeviceNetworkKind = device is not null;
        manager._subscriptions.Add(network.Status.Subscribe(manager.OnNetwork));
        if (device is not null)
        {
            manager._subscriptions.Add(device.State.Subscribe(state => manager.OnNetworkKind(state.NetworkKind)));
        }

        lock (manager._gate)
        {
            manager.PumpLocked();
        }

        return manager;
    }

    /// <summary>
    /// Queues downloads of the content of <paramref name="resourceIds"/> (seed: <c>downloadForOffline(ids, priority)</c>),
    /// taking each url and expected size from the replica (unknown when the replica has none: the size is then checked
    /// while writing). Completes once the requests are stored, not when the files are; watch <see cref="Progress"/>.
    /// </summary>
    /// <returns>The downloads, one per id, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="resourceIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty, or the priority is undefined.</exception>
    public async Task<IReadOnlyList<DownloadRecord>> DownloadForOfflineAsync(
        IEnumerable<string> resourceIds,
        SyncPriority priority = SyncPriority.Medium,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        var ids = resourceIds.ToList();
        for (var i = 0; i < ids.Count; i++)
        {
            if (string.IsNullOrEmpty(ids[i]))
            {
                throw new ArgumentException($"Resource id {i} is null or empty.", nameof(resourceIds));
            }
        }

        var requests = new List<DownloadRequest>(ids.Count);
        foreach (var id in ids)
        {
            var row = _replica is null ? null : await _replica.FindContentAsync(id, cancellationToken).ConfigureAwait(false);
            requests.Add(new DownloadRequest { ResourceId = id, FileUrl = row?.ContentUrl, ExpectedSize = row?.ContentSize, Priority = priority });
        }

        return await DownloadForOfflineAsync(requests, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Queues downloads described by the caller. A completed download whose file is still there is answered as it is; a
    /// download already queued or running keeps going (its priority is raised when asked higher); a failed one starts over.
    /// A request that would pass the quota is stored as Failed and <see cref="QuotaExceeded"/> emits.
    /// </summary>
    /// <returns>The downloads, one per request, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="requests"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A request has no resource id, a negative expected size, or an undefined priority.</exception>
    /// <exception cref="ObjectDisposedException">The manager is disposed.</exception>
    public async Task<IReadOnlyList<DownloadRecord>> DownloadForOfflineAsync(IEnumerable<DownloadRequest> requests, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(requests);
        var list = requests.ToList();
        for (var i = 0; i < list.Count; i++)
        {
            var request = list[i] ?? throw new ArgumentNullException(nameof(requests), $"Request {i} is null.");
            if (string.IsNullOrEmpty(request.ResourceId))
            {
                throw new ArgumentException($"Request {i} has no ResourceId.", nameof(requests));
            }

            if (request.ExpectedSize is < 0)
            {
                throw new ArgumentException($"Request {i} has a negative ExpectedSize ({request.ExpectedSize}).", nameof(requests));
            }

            if (!Enum.IsDefined(request.Priority))
            {
                throw new ArgumentException($"Request {i} has an undefined Priority ({(int)request.Priority}).", nameof(requests));
            }
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = new DownloadRecord[list.Count];
        var toStore = new List<Entry>();
        var refused = new List<StorageQuotaExceeded>();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            for (var i = 0; i < list.Count; i++)
            {
                var request = list[i];
                var id = request.ResourceId;
                if (_entries.TryGetValue(id, out var existing))
                {
                    var state = existing.Record.State;
                    if (state == DownloadState.Completed && File.Exists(_files.FinalPath(id)))
                    {
                        results[i] = existing.Record;
                        continue;
                    }

                    if (state is not (DownloadState.Completed or DownloadState.Failed))
                    {
                        if (request.Priority > existing.Record.Priority)
                        {
                            Publish(existing, existing.Record with { Priority = request.Priority });
                            existing.Holds++;
                            toStore.Add(existing);
                        }

                        results[i] = existing.Record;
                        continue;
                    }
                }

                var usage = ReservedExcept(id);
                var record = new DownloadRecord
                {
                    Id = existing?.Record.Id ?? Guid.CreateVersion7().ToString(),
                    ResourceId = id,
                    FileUrl = request.FileUrl ?? "/sync/content/" + Uri.EscapeDataString(id),
                    FileSize = request.ExpectedSize,
                    State = DownloadState.Pending,
                    Priority = request.Priority,
                    StartedAt = _scheduler.Now,
                    Order = _nextOrder++,
                    Metadata = request.Metadata?.DeepClone(),
                };
                if (request.ExpectedSize is { } size && usage + size > _configuration.StorageQuotaBytes)
                {
                    record = record with { State = DownloadState.Failed, ErrorMessage = QuotaMessage(usage, size) };
                    refused.Add(new StorageQuotaExceeded(usage, _configuration.StorageQuotaBytes, id, size));
                }

                var entry = existing ?? new Entry(record);
                entry.Flushed = 0;
                entry.Received = 0;
                entry.Failures = 0;
                entry.Holds++;
                _entries[id] = entry;
                Publish(entry, record);
                toStore.Add(entry);
                results[i] = record;
            }
        }

        foreach (var entry in toStore)
        {
            if (entry.Record.State != DownloadState.Completed)
            {
                // Stale bytes of an earlier attempt must not be resumed by a new download.
                TryDelete(_files.PartialPath(entry.Record.ResourceId));
            }
        }

        try
        {
            foreach (var entry in toStore)
            {
                await _store.UpsertAsync(Stored(entry), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            lock (_gate)
            {
                foreach (var entry in toStore)
                {
                    entry.Holds--;
                }

                PumpLocked();
            }
        }

        foreach (var e in refused)
        {
            _logger.LogWarning("Download of {ResourceId} refused: {Required} bytes would pass the quota ({Usage} of {Limit} used).", e.ResourceId, e.RequiredBytes, e.Usage, e.Limit);
            _quotaExceeded.OnNext(e);
        }

        return results;
    }

    /// <summary>
    /// The progress of one download (seed: <c>addProgressListener</c>): its current progress on subscribe (once it
    /// exists), then changes, at most one per 100 ms on the scheduler, always ending with the newest; completes when the
    /// download is removed or the manager disposed.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="resourceId"/> is null or empty.</exception>
    public IObservable<DownloadProgress> Progress(string resourceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        return _cache.Connect()
            .SelectMany(changes => changes.Where(c => c.Key == resourceId))
            .TakeWhile(static c => c.Reason != ChangeReason.Remove)
            .Select(static c => ToProgress(c.Current))
            .DistinctUntilChanged()
            .ThrottleLatest(ProgressInterval, _scheduler);
    }

    /// <summary>
    /// A status view of every download keyed by resource id: the current downloads, then a change set per change.
    /// <see cref="DownloadRecord.DownloadedSize"/> here counts bytes received; the stored row counts only bytes flushed.
    /// </summary>
    public IObservable<IChangeSet<DownloadRecord, string>> Connect() => _cache.Connect();

    /// <summary>The download of <paramref name="resourceId"/> as it stands, or null.</summary>
    /// <exception cref="ArgumentException"><paramref name="resourceId"/> is null or empty.</exception>
    public DownloadRecord? Get(string resourceId)
    {
        ArgumentException.ThrowIfNullOrEmpty(resourceId);
        lock (_gate)
        {
            return _entries.TryGetValue(resourceId, out var entry) ? entry.Record : null;
        }
    }

    /// <summary>Space used and reserved by offline content (seed: <c>getStorageUsage</c>).</summary>
    public Task<StorageUsage> GetStorageUsageAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            long onDisk = 0;
            var completed = 0;
            foreach (var entry in _entries.Values)
            {
                switch (entry.Record.State)
                {
                    case DownloadState.Completed:
                        onDisk += entry.Record.FileSize ?? entry.Record.DownloadedSize;
                        completed++;
                        break;
                    case DownloadState.Failed:
                        break;
                    default:
                        onDisk += entry.Received;
                        break;
                }
            }

            return Task.FromResult(new StorageUsage(onDisk, completed, ReservedExcept(null), _configuration.StorageQuotaBytes));
        }
    }

    /// <summary>Removes every failed download, its row and any partial file (seed: <c>cleanupFailedDownloads</c>). Answers how many.</summary>
    public async Task<int> CleanupFailedDownloadsAsync(CancellationToken cancellationToken = default)
    {
        List<string> failed;
        lock (_gate)
        {
            failed = _entries.Values
                .Where(static e => e.Record.State == DownloadState.Failed && e.Task is null && e.Holds == 0)
                .Select(static e => e.Record.ResourceId)
                .ToList();
            foreach (var id in failed)
            {
                _entries.Remove(id);
            }

            _cache.Remove(failed);
        }

        foreach (var id in failed)
        {
            TryDelete(_files.PartialPath(id));
            await _store.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        }

        return failed.Count;
    }

    /// <summary>
    /// Removes the downloads of <paramref name="resourceIds"/>: stops them, deletes their files (complete and partial) and
    /// their rows (seed: <c>removeOfflineContent</c>). Answers how many downloads there were.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="resourceIds"/> is null.</exception>
    /// <exception cref="ArgumentException">An id is null or empty.</exception>
    public async Task<int> RemoveOfflineContentAsync(IEnumerable<string> resourceIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(resourceIds);
        var ids = resourceIds.ToList();
        if (ids.Any(string.IsNullOrEmpty))
        {
            throw new ArgumentException("Resource ids must not be null or empty.", nameof(resourceIds));
        }

        var running = new List<Task>();
        var removed = 0;
        lock (_gate)
        {
            foreach (var id in ids)
            {
                if (!_entries.Remove(id, out var entry))
                {
                    continue;
                }

                removed++;
                entry.RetryTimer?.Dispose();
                entry.RetryTimer = null;
                if (entry.Task is { } task)
                {
                    entry.Reason = StopReason.Removed;
                    entry.Cancellation?.Cancel();
                    running.Add(task);
                }
            }

            _cache.Remove(ids);
        }

        foreach (var task in running)
        {
            await task.ConfigureAwait(false);
        }

        foreach (var id in ids)
        {
            TryDelete(_files.FinalPath(id));
            TryDelete(_files.PartialPath(id));
            await _store.RemoveAsync(id, cancellationToken).ConfigureAwait(false);
        }

        lock (_gate)
        {
            PumpLocked();
        }

        return removed;
    }

    /// <summary>Stops the running downloads (their flushed bytes are kept for the next start) and completes the streams. Safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        var running = new List<Task>();
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            foreach (var entry in _entries.Values)
            {
                entry.RetryTimer?.Dispose();
                entry.RetryTimer = null;
                if (entry.Task is { } task)
                {
                    entry.Reason = StopReason.Shutdown;
                    entry.Cancellation?.Cancel();
                    running.Add(task);
                }
            }
        }

        _subscriptions.Dispose();
        foreach (var task in running)
        {
            await task.ConfigureAwait(false);
        }

        _cache.Dispose();
        _quotaExceeded.OnCompleted();
        _quotaExceeded.Dispose();
    }

    private static DownloadProgress ToProgress(DownloadRecord record)
    {
        var bytes = record.State == DownloadState.Completed ? record.FileSize ?? record.DownloadedSize : record.DownloadedSize;
        double? percent = record.State == DownloadState.Completed ? 100
            : record.FileSize is > 0 and var size ? Math.Min(100, 100.0 * bytes / size)
            : null;
        return new DownloadProgress(record.ResourceId, bytes, record.FileSize, percent, record.State);
    }

    private static string QuotaMessage(long usage, long required) =>
        $"Storage quota exceeded: {required} bytes needed, {usage} already used or reserved.";

    private static bool IsOnWiFi(NetworkKind kind) => kind is NetworkKind.WiFi or NetworkKind.Ethernet;

    private static DownloadRecord Stored(Entry entry) => entry.Record with { DownloadedSize = entry.Flushed };

    private void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            _logger.LogWarning(ex, "Could not delete {Path}.", path);
        }
    }

    private void OnNetwork(NetworkStatus status)
    {
        lock (_gate)
        {
            _online = status.IsOnline;
            if (!_useDeviceNetworkKind)
            {
                _networkKind = status.Kind;
            }

            if (!_online)
            {
                foreach (var entry in _entries.Values)
                {
                    if (entry.Task is not null && entry.Reason == StopReason.None)
                    {
                        entry.Reason = StopReason.Offline;
                        entry.Cancellation?.Cancel();
                    }
                }
            }

            PumpLocked();
        }
    }

    private void OnNetworkKind(NetworkKind kind)
    {
        lock (_gate)
        {
            _networkKind = kind;
            if (!IsOnWiFi(kind))
            {
                foreach (var entry in _entries.Values)
                {
                    if (entry.Task is not null && entry.Reason == StopReason.None && NeedsWiFi(entry.Record))
                    {
                        entry.Reason = StopReason.WaitForWiFi;
                        entry.Cancellation?.Cancel();
                    }
                }
            }

            PumpLocked();
        }
    }

    private bool NeedsWiFi(DownloadRecord record) =>
        _configuration.WifiOnlyDownloadsAboveBytes is { } limit && (record.FileSize ?? 0) > limit;

    /// <summary>Bytes counted against the quota by every download but <paramref name="exceptResourceId"/>.</summary>
    private long ReservedExcept(string? exceptResourceId)
    {
        long total = 0;
        foreach (var (id, entry) in _entries)
        {
            if (id == exceptResourceId)
            {
                continue;
            }

            total += entry.Record.State switch
            {
                DownloadState.Failed => 0,
                DownloadState.Completed => entry.Record.FileSize ?? entry.Record.DownloadedSize,
                _ => Math.Max(entry.Record.FileSize ?? 0, entry.Received),
            };
        }

        return total;
    }

    private void Publish(Entry entry, DownloadRecord record)
    {
        entry.Record = record;
        if (!_disposed)
        {
            _cache.AddOrUpdate(record);
        }
    }

    /// <summary>Starts what may start, in priority order, and marks what waits with why it waits.</summary>
    private void PumpLocked()
    {
        if (_disposed)
        {
            return;
        }

        var running = _entries.Values.Count(static e => e.Task is not null);
        var waiting = _entries.Values
            .Where(static e => e.Task is null && e.Holds == 0 && e.RetryTimer is null
                && e.Record.State is DownloadState.Pending or DownloadState.Paused or DownloadState.WaitingForWiFi)
            .OrderByDescending(static e => e.Record.Priority)
            .ThenBy(static e => e.Record.Order)
            .ToList();
        foreach (var entry in waiting)
        {
            DownloadState state;
            if (!_online)
            {
                state = DownloadState.Paused;
            }
            else if (NeedsWiFi(entry.Record) && !IsOnWiFi(_networkKind))
            {
                state = DownloadState.WaitingForWiFi;
            }
            else if (running >= _configuration.MaxConcurrentDownloads)
            {
                state = DownloadState.Pending;
            }
            else
            {
                Start(entry);
                running++;
                continue;
            }

            if (entry.Record.State != state)
            {
                Publish(entry, entry.Record with { State = state });
            }
        }
    }

    private void Start(Entry entry)
    {
        var cancellation = new CancellationTokenSource();
        entry.Cancellation = cancellation;
        entry.Reason = StopReason.None;
        Publish(entry, entry.Record with { State = DownloadState.Downloading, ErrorMessage = null, DownloadedSize = entry.Received });
        entry.Task = Task.Run(() => RunAsync(entry, cancellation.Token), CancellationToken.None);
    }

    private async Task RunAsync(Entry entry, CancellationToken cancellationToken)
    {
        var outcome = Outcome.Completed;
        Exception? error = null;
        try
        {
            await TransferAsync(entry, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            outcome = Outcome.Stopped;
        }
        catch (QuotaOverrunException ex)
        {
            outcome = Outcome.QuotaExceeded;
            error = ex;
        }
#pragma warning disable CA1031 // Every failure becomes the download's state; none may escape the background task.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            outcome = Outcome.Error;
            error = ex;
        }

        await FinishAsync(entry, outcome, error).ConfigureAwait(false);
    }

    private async Task FinishAsync(Entry entry, Outcome outcome, Exception? error)
    {
        DownloadRecord? toStore = null;
        StorageQuotaExceeded? quota = null;
        var deletePartial = false;
        lock (_gate)
        {
            var removed = entry.Reason == StopReason.Removed;
            if (!removed)
            {
                switch (outcome)
                {
                    case Outcome.Completed:
                        break;
                    case Outcome.Stopped:
                        Publish(entry, entry.Record with
                        {
                            DownloadedSize = entry.Received,
                            State = entry.Reason switch
                            {
                                StopReason.Offline => DownloadState.Paused,
                                StopReason.WaitForWiFi => DownloadState.WaitingForWiFi,
                                _ => DownloadState.Pending,
                            },
                        });
                        toStore = Stored(entry);
                        break;
                    case Outcome.QuotaExceeded:
                        var overrun = (QuotaOverrunException)error!;
                        deletePartial = true;
                        entry.Flushed = 0;
                        entry.Received = 0;
                        Publish(entry, entry.Record with { State = DownloadState.Failed, DownloadedSize = 0, ErrorMessage = QuotaMessage(overrun.Usage, overrun.Required) });
                        toStore = Stored(entry);
                        quota = new StorageQuotaExceeded(overrun.Usage, _configuration.StorageQuotaBytes, entry.Record.ResourceId, overrun.Required);
                        break;
                    default:
                        var syncError = (error as SyncException)?.Error;
                        if (syncError is { IsRetryable: true } && entry.Failures < _configuration.MaxRetries && !_disposed)
                        {
                            entry.Failures++;
                            var delay = RetryDelay(entry.Failures, syncError.RetryAfter);
                            Publish(entry, entry.Record with { State = DownloadState.Pending, DownloadedSize = entry.Received, ErrorMessage = syncError.Message });
                            entry.RetryTimer = _scheduler.Schedule(delay, () =>
                            {
                                lock (_gate)
                                {
                                    entry.RetryTimer = null;
                                    PumpLocked();
                                }
                            });
                            _logger.LogInformation("Download of {ResourceId} interrupted ({Message}); retry {Attempt} in {Delay}.", entry.Record.ResourceId, syncError.Message, entry.Failures, delay);
                        }
                        else
                        {
                            deletePartial = true;
                            entry.Flushed = 0;
                            entry.Received = 0;
                            Publish(entry, entry.Record with { State = DownloadState.Failed, DownloadedSize = 0, ErrorMessage = error?.Message });
                            _logger.LogWarning(error, "Download of {ResourceId} failed.", entry.Record.ResourceId);
                        }

                        toStore = Stored(entry);
                        break;
                }
            }
        }

        if (deletePartial)
        {
            TryDelete(_files.PartialPath(entry.Record.ResourceId));
        }

        if (toStore is not null)
        {
            await StoreQuietlyAsync(toStore).ConfigureAwait(false);
        }

        lock (_gate)
        {
            entry.Task = null;
            entry.Cancellation?.Dispose();
            entry.Cancellation = null;
            entry.Reason = StopReason.None;
            PumpLocked();
        }

        if (quota is not null)
        {
            _logger.LogWarning("Download of {ResourceId} stopped: it would pass the quota.", quota.ResourceId);
            _quotaExceeded.OnNext(quota);
        }
    }

    private TimeSpan RetryDelay(int failures, TimeSpan? retryAfter)
    {
        var delay = _configuration.InitialRetryDelay * Math.Pow(_configuration.BackoffMultiplier, failures - 1);
        if (retryAfter is { } after && after > delay)
        {
            delay = after;
        }

        return delay > _configuration.MaxRetryDelay ? _configuration.MaxRetryDelay : delay;
    }

    private async Task StoreQuietlyAsync(DownloadRecord record)
    {
        try
        {
            await _store.UpsertAsync(record, CancellationToken.None).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The in-memory state stays right; a lost row only costs a restart from earlier bytes.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _logger.LogError(ex, "Could not store the state of the download of {ResourceId}.", record.ResourceId);
        }
    }

    private async Task TransferAsync(Entry entry, CancellationToken cancellationToken)
    {
        DownloadRecord record;
        lock (_gate)
        {
            record = entry.Record;
        }

        var id = record.ResourceId;
        var partialPath = _files.PartialPath(id);
        Directory.CreateDirectory(_files.Root);

        // Positional writes on a handle, so a flush to disk can run on another thread while bytes keep arriving:
        // an fsync covers every write completed before it, and only then is its byte count stored as progress.
        var handle = File.OpenHandle(partialPath, FileMode.OpenOrCreate, FileAccess.Write, FileShare.None);

        // Two buffers: the network fills one while the other is written to the file on the thread pool.
        var buffers = new[] { ArrayPool<byte>.Shared.Rent(BufferSize), ArrayPool<byte>.Shared.Rent(BufferSize) };
        Task? pendingWrite = null;
        long pendingWriteEnd = 0;
        Task? pendingFlush = null;
        long have = 0;
        long written = 0;
        var completed = false;
        try
        {
            // Bytes past the stored count were never confirmed flushed: drop them and resume from a known point.
            have = Math.Min(entry.Flushed, RandomAccess.GetLength(handle));
            var eTag = record.ETag;
            if (eTag is null)
            {
                have = 0;
            }

            RandomAccess.SetLength(handle, have);
            await using var response = await _source.OpenReadAsync(id, have, have > 0 ? eTag : null, cancellationToken).ConfigureAwait(false);
            if (response.Offset != have)
            {
                // The server sent the whole content: its copy changed (If-Range did not match) or it cannot resume.
                _logger.LogInformation("Download of {ResourceId} starts over: the server sent the whole content.", id);
                have = 0;
                RandomAccess.SetLength(handle, 0);
            }

            if (have == 0)
            {
                eTag = response.IsStrongETag ? response.ETag : null;
            }

            var total = response.TotalLength ?? record.FileSize;
            lock (_gate)
            {
                if (total is { } size)
                {
                    var others = ReservedExcept(id);
                    if (others + size > _configuration.StorageQuotaBytes)
                    {
                        throw new QuotaOverrunException(others, size);
                    }
                }

                entry.Flushed = have;
                entry.Received = have;
                Publish(entry, entry.Record with { FileSize = total, ETag = eTag, DownloadedSize = have });
                record = Stored(entry);
            }

            if (have == 0 && total is > 0 and var reserve)
            {
                handle.Dispose();
                handle = OpenReserved(partialPath, reserve, id);
            }

            await _store.UpsertAsync(record, cancellationToken).ConfigureAwait(false);
            written = have;
            var flushedMark = have;
            var progress = new ProgressMarks(have, _scheduler.Now);
            long unpublished = 0;
            var current = 0;
            int read;
            while ((read = await response.Content.ReadAsync(buffers[current].AsMemory(0, BufferSize), cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (total is null)
                {
                    lock (_gate)
                    {
                        var others = ReservedExcept(id);
                        if (others + have + read > _configuration.StorageQuotaBytes)
                        {
                            throw new QuotaOverrunException(others, have + read);
                        }
                    }
                }

                if (pendingWrite is not null)
                {
                    await pendingWrite.ConfigureAwait(false);
                    pendingWrite = null;
                    written = pendingWriteEnd;
                }

                if (pendingFlush is { IsCompleted: true })
                {
                    await pendingFlush.ConfigureAwait(false);
                    pendingFlush = null;
                }

                if (pendingFlush is null && written - flushedMark >= FlushEveryBytes)
                {
                    flushedMark = written;
                    pendingFlush = FlushAndStoreAsync(entry, handle, written, progress);
                }

                pendingWrite = RandomAccess.WriteAsync(handle, buffers[current].AsMemory(0, read), have, cancellationToken).AsTask();
                have += read;
                pendingWriteEnd = have;
                current ^= 1;
                unpublished += read;
                if (unpublished >= PublishEveryBytes)
                {
                    unpublished = 0;
                    lock (_gate)
                    {
                        entry.Received = have;
                        entry.Failures = 0;
                        Publish(entry, entry.Record with { DownloadedSize = have });
                    }
                }
            }

            if (pendingWrite is not null)
            {
                await pendingWrite.ConfigureAwait(false);
                pendingWrite = null;
                written = pendingWriteEnd;
            }

            if (pendingFlush is not null)
            {
                await pendingFlush.ConfigureAwait(false);
                pendingFlush = null;
            }

            if (total is { } expected && have != expected)
            {
                throw new SyncException(new SyncError(SyncErrorType.Network, $"The content of '{id}' ended after {have} of {expected} bytes.", IsRetryable: true));
            }

            RandomAccess.FlushToDisk(handle);
            handle.Dispose();
            var finalPath = _files.FinalPath(id);
            File.Move(partialPath, finalPath, overwrite: true);
            completed = true;
            lock (_gate)
            {
                entry.Flushed = have;
                entry.Received = have;
                entry.Failures = 0;
                Publish(entry, entry.Record with
                {
                    State = DownloadState.Completed,
                    LocalPath = finalPath,
                    FileSize = have,
                    DownloadedSize = have,
                    CompletedAt = _scheduler.Now,
                    ErrorMessage = null,
                });
                record = Stored(entry);
            }

            await StoreQuietlyAsync(record).ConfigureAwait(false);
        }
        finally
        {
            if (pendingWrite is not null)
            {
                // The buffers and the handle must outlive the write; a failed write adds nothing to what is kept.
                await pendingWrite.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
                if (pendingWrite.IsCompletedSuccessfully)
                {
                    written = pendingWriteEnd;
                }
            }

            ArrayPool<byte>.Shared.Return(buffers[0]);
            ArrayPool<byte>.Shared.Return(buffers[1]);
            if (pendingFlush is not null)
            {
                // The handle must outlive the flush running on it.
                await pendingFlush.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            if (!completed && !handle.IsClosed)
            {
                // Keep what was written for the next attempt: flush it, then count it as stored progress.
                try
                {
                    RandomAccess.FlushToDisk(handle);
                    var length = RandomAccess.GetLength(handle);
                    lock (_gate)
                    {
                        entry.Flushed = Math.Min(written, length);
                        entry.Received = entry.Flushed;
                    }
                }
                catch (IOException ex)
                {
                    _logger.LogDebug(ex, "Could not flush the partial file of {ResourceId}.", id);
                }
            }

            handle.Dispose();
        }
    }

    /// <summary>
    /// Creates the partial file with <paramref name="size"/> bytes reserved on disk (its length stays 0): a disk too full
    /// fails the download before the first byte rather than near the end, and the file system allocates the file in one
    /// piece instead of at each flush (a file system that cannot reserve just gets the file).
    /// </summary>
    private static Microsoft.Win32.SafeHandles.SafeFileHandle OpenReserved(string path, long size, string resourceId)
    {
        try
        {
            return File.OpenHandle(path, FileMode.Create, FileAccess.Write, FileShare.None, FileOptions.None, preallocationSize: size);
        }
        catch (IOException ex)
        {
            throw new SyncException(
                new SyncError(SyncErrorType.Storage, $"Could not reserve {size} bytes on disk to download '{resourceId}' (is the disk full?): {ex.Message}", IsRetryable: false), ex);
        }
    }

    /// <summary>
    /// Flushes every byte written so far to disk on another thread, then counts <paramref name="mark"/> as flushed and
    /// stores it when <see cref="PersistEveryBytes"/> more bytes or <see cref="PersistInterval"/> of scheduler time passed
    /// since the last stored count (each store is a SQLite commit; a crash in between only costs re-downloading those bytes).
    /// </summary>
    private Task FlushAndStoreAsync(Entry entry, Microsoft.Win32.SafeHandles.SafeFileHandle handle, long mark, ProgressMarks progress) => Task.Run(async () =>
    {
        RandomAccess.FlushToDisk(handle);
        DownloadRecord record;
        lock (_gate)
        {
            entry.Flushed = Math.Max(entry.Flushed, mark);
            entry.Failures = 0;
            var now = _scheduler.Now;
            if (mark - progress.Bytes < PersistEveryBytes && now - progress.At < PersistInterval)
            {
                return;
            }

            progress.Bytes = mark;
            progress.At = now;
            record = Stored(entry);
        }

        await StoreQuietlyAsync(record).ConfigureAwait(false);
    });

    /// <summary>The last progress stored during one transfer; touched only under the manager's lock.</summary>
    private sealed class ProgressMarks(long bytes, DateTimeOffset at)
    {
        public long Bytes { get; set; } = bytes;

        public DateTimeOffset At { get; set; } = at;
    }

    /// <summary>One download's live state; guarded by the manager's lock.</summary>
    private sealed class Entry(DownloadRecord record)
    {
        public DownloadRecord Record { get; set; } = record;

        /// <summary>Bytes flushed to the partial file: the only count ever stored.</summary>
        public long Flushed { get; set; }

        /// <summary>Bytes received, flushed or not; shown as progress and counted against the quota.</summary>
        public long Received { get; set; }

        public int Failures { get; set; }

        /// <summary>Callers storing this download's row right now; it does not start until they are done.</summary>
        public int Holds { get; set; }

        public Task? Task { get; set; }

        public CancellationTokenSource? Cancellation { get; set; }

        public StopReason Reason { get; set; }

        public IDisposable? RetryTimer { get; set; }
    }

    private sealed class QuotaOverrunException(long usage, long required) : Exception("The download would pass the storage quota.")
    {
        public long Usage { get; } = usage;

        public long Required { get; } = required;
    }
}
