using Microsoft.Reactive.Testing;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using ReactiveSync.Background;
using ReactiveSync.Downloads;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Pull;
using ReactiveSync.Sqlite;


namespace ReactiveSync.Tests.Downloads;

public sealed class ContentDownloadManagerTests
{
    private const int Chunk = 64 * 1024;
    private string _root = null!;
    private MemoryContentSource _source = null!;
    private InMemoryNetworkMonitor _network = null!;
    private IDownloadStore _store = null!;
    private readonly List<ContentDownloadManager> _managers = [];

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "rs-downloads-" + Guid.NewGuid().ToString("N"));
        _source = new MemoryContentSource();
        _network = new InMemoryNetworkMonitor(online: true);
        _store = new InMemoryDownloadStore();
    }

    [TearDown]
    public async Task TearDown()
    {
        foreach (var manager in _managers)
        {
            await manager.DisposeAsync();
        }

        _network.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static SyncConfiguration Config(long quotaMb = 100, int concurrent = 2, long? wifiAbove = null, TimeSpan? retryDelay = null) =>
        SyncConfiguration.Default with
        {
            StorageQuotaMB = quotaMb,
            MaxConcurrentDownloads = concurrent,
            WifiOnlyDownloadsAboveBytes = wifiAbove,
            InitialRetryDelay = retryDelay ?? TimeSpan.FromMilliseconds(10),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        };

    private async Task<ContentDownloadManager> OpenAsync(SyncConfiguration? configuration = null, IReplicaStore? replica = null, IDeviceStateMonitor? device = null, IDownloadStore? store = null)
    {
        var manager = await ContentDownloadManager.OpenAsync(_source, store ?? _store, _root, configuration ?? Config(), Scheduler.Default, _network, replica, device);
        _managers.Add(manager);
        return manager;
    }

    private static Task WaitForStateAsync(ContentDownloadManager manager, string id, DownloadState state) =>
        Eventually.WaitAsync(() => manager.Get(id)?.State == state, $"{id} is {state}", lastSeen: () => $"{manager.Get(id)?.State}, {manager.Get(id)?.ErrorMessage}");

    [Test]
    public async Task DownloadForOfflineAsync_Request_RenamesFileIntoPlaceAndStoresCompletion()
    {
        var bytes = _source.Put("doc", 300_000);
        var manager = await OpenAsync();

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc", ExpectedSize = bytes.Length }]);
        await WaitForStateAsync(manager, "doc", DownloadState.Completed);
        var record = manager.Get("doc")!;
        var stored = await _store.GetAsync("doc");

        Assert.Multiple(() =>
        {
            Assert.That(File.ReadAllBytes(record.LocalPath!), Is.EqualTo(bytes));
            Assert.That(Path.GetDirectoryName(record.LocalPath), Is.EqualTo(manager.ContentRoot));
            Assert.That(Directory.GetFiles(_root, "*.part"), Is.Empty);
            Assert.That(stored!.State, Is.EqualTo(DownloadState.Completed));
            Assert.That(stored.DownloadedSize, Is.EqualTo(bytes.Length));
            Assert.That(stored.ETag, Is.Not.Null);
        });
    }

    [Test]
    public async Task DownloadForOfflineAsync_ConnectionCutMidFile_ResumesAndTransfersOnlyTheMissingBytes()
    {
        var bytes = _source.Put("big", 3 * 1024 * 1024);
        _source.CutNextAfterBytes = 1024 * 1024 + 5;
        var manager = await OpenAsync();

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "big", ExpectedSize = bytes.Length }]);
        await WaitForStateAsync(manager, "big", DownloadState.Completed);
        var requests = _source.Requests.ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[1].Offset, Is.EqualTo(1024 * 1024 + 5));
            Assert.That(requests[1].IfRange, Is.Not.Null);
            Assert.That(_source.BytesServed, Is.EqualTo(bytes.Length), "no byte was sent twice");
            Assert.That(File.ReadAllBytes(manager.Get("big")!.LocalPath!), Is.EqualTo(bytes));
        });
    }

    [Test]
    public async Task Download_LargeFile_StoresMidwayProgressWithinTheWrittenBytesAndNotMoreOftenThanPersistInterval()
    {
        const int size = 36 * 1024 * 1024;
        var bytes = _source.Put("large", size);
        var scheduler = new TestScheduler();
        var advanced = 0;

        // One jump of scheduler time early on: the first flush (FlushEveryBytes) is then a second after the last stored
        // count and is stored; the later ones come at the same scheduler time and less than 64 MiB later, so they are not.
        _source.BeforeRead = sent =>
        {
            if (sent >= 4 * 1024 * 1024 && Interlocked.Exchange(ref advanced, 1) == 0)
            {
                scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);
            }
        };
        var store = new ProbingDownloadStore(_store, _root);
        var manager = await ContentDownloadManager.OpenAsync(_source, store, _root, Config(), scheduler, _network);
        _managers.Add(manager);

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "large", ExpectedSize = size }]);
        await WaitForStateAsync(manager, "large", DownloadState.Completed);
        var midway = store.Rows.Where(r => r.Record.State == DownloadState.Downloading && r.Record.DownloadedSize > 0).ToList();

        Assert.Multiple(() =>
        {
            Assert.That(midway, Has.Count.EqualTo(1), "one midway store: at the first flush, not at the second");
            Assert.That(midway[0].Record.DownloadedSize, Is.InRange(ContentDownloadManager.FlushEveryBytes, size - 1));
            Assert.That(midway[0].Record.DownloadedSize, Is.LessThanOrEqualTo(midway[0].PartialLength), "only bytes already in the partial file are stored");
            Assert.That(File.ReadAllBytes(manager.Get("large")!.LocalPath!).AsSpan().SequenceEqual(bytes), Is.True, "the file has the content's bytes");
        });
    }

    [Test]
    [Platform("Linux", Reason = "reads the blocks a file has on disk with GNU stat")]
    public async Task Download_KnownSize_ReservesTheWholeFileOnDiskBeforeTheFirstByte()
    {
        var bytes = _source.Put("doc", 4 * 1024 * 1024);
        long? allocatedBeforeFirstRead = null;
        _source.BeforeRead = sent =>
        {
            if (sent == 0)
            {
                var partial = Directory.GetFiles(_root, "*.part").Single();
                allocatedBeforeFirstRead = AllocatedBytes(partial);
            }
        };
        var manager = await OpenAsync();

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc" }]);
        await WaitForStateAsync(manager, "doc", DownloadState.Completed);

        Assert.Multiple(() =>
        {
            Assert.That(allocatedBeforeFirstRead, Is.GreaterThanOrEqualTo(bytes.Length), "the file system reserved the whole file up front");
            Assert.That(File.ReadAllBytes(manager.Get("doc")!.LocalPath!), Is.EqualTo(bytes));
        });
    }

    /// <summary>The bytes a file occupies on disk (its allocated blocks, not its length).</summary>
    private static long AllocatedBytes(string path)
    {
        using var stat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("stat", ["-c", "%b %B", path]) { RedirectStandardOutput = true })!;
        var parts = stat.StandardOutput.ReadToEnd().Split(' ', StringSplitOptions.TrimEntries);
        stat.WaitForExit();
        return long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture) * long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture);
    }

    [Test]
    public async Task Offline_WhileDownloading_PausesThenResumesFromFlushedBytesWhenOnline()
    {
        var bytes = _source.Put("doc", 1024 * 1024);
        var gate = new SemaphoreSlim(0);
        _source.ReadGate = gate;
        var manager = await OpenAsync();
        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc" }]);
        gate.Release(3);
        await Eventually.WaitAsync(() => _source.BytesServed == 3 * Chunk, "three chunks were served");

        _network.SetOnline(false);
        await WaitForStateAsync(manager, "doc", DownloadState.Paused);
        var stored = await _store.GetAsync("doc");
        _source.ReadGate = null;
        gate.Release(100);
        _network.SetOnline(true);
        await WaitForStateAsync(manager, "doc", DownloadState.Completed);

        Assert.Multiple(() =>
        {
            Assert.That(stored!.DownloadedSize, Is.EqualTo(3 * Chunk), "the flushed bytes were stored when it paused");
            Assert.That(_source.Requests.Last().Offset, Is.EqualTo(3 * Chunk));
            Assert.That(_source.BytesServed, Is.EqualTo(bytes.Length));
            Assert.That(File.ReadAllBytes(manager.Get("doc")!.LocalPath!), Is.EqualTo(bytes));
        });
    }

    [Test]
    public async Task Resume_ServerCopyChanged_StartsOverCleanly()
    {
        _source.Put("doc", 1024 * 1024, seed: 1);
        var gate = new SemaphoreSlim(0);
        _source.ReadGate = gate;
        var manager = await OpenAsync();
        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc" }]);
        gate.Release(3);
        await Eventually.WaitAsync(() => _source.BytesServed == 3 * Chunk, "three chunks were served");
        _network.SetOnline(false);
        await WaitForStateAsync(manager, "doc", DownloadState.Paused);

        var changed = _source.Put("doc", 700_000, seed: 2);
        _source.ReadGate = null;
        gate.Release(100);
        _network.SetOnline(true);
        await WaitForStateAsync(manager, "doc", DownloadState.Completed);
        var resumed = _source.Requests.Last();

        Assert.Multiple(() =>
        {
            Assert.That(resumed.Offset, Is.EqualTo(3 * Chunk), "it asked to resume against the old entity tag");
            Assert.That(File.ReadAllBytes(manager.Get("doc")!.LocalPath!), Is.EqualTo(changed), "no byte of the old copy is left");
            Assert.That(manager.Get("doc")!.FileSize, Is.EqualTo(changed.Length));
        });
    }

    [Test]
    public async Task DownloadForOfflineAsync_ExpectedSizeOverQuota_NotStartedEventRaisedNoBytes()
    {
        _source.Put("huge", 10);
        var manager = await OpenAsync(Config(quotaMb: 1));
        var events = new List<StorageQuotaExceeded>();
        using var subscription = manager.QuotaExceeded.Subscribe(events.Add);

        var result = await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "huge", ExpectedSize = 2 * 1024 * 1024 }]);
        var usage = await manager.GetStorageUsageAsync();

        Assert.Multiple(() =>
        {
            Assert.That(result[0].State, Is.EqualTo(DownloadState.Failed));
            Assert.That(events, Is.EqualTo(new[] { new StorageQuotaExceeded(0, 1024 * 1024, "huge", 2 * 1024 * 1024) }));
            Assert.That(_source.Requests, Is.Empty);
            Assert.That(Directory.GetFiles(_root), Is.Empty);
            Assert.That(usage.ReservedBytes, Is.Zero);
        });
    }

    [Test]
    public async Task Download_UnknownSizePassesQuotaWhileWriting_RemovesPartialAndRaisesEvent()
    {
        _source.ReportLength = false;
        _source.Put("stream", 2 * 1024 * 1024);
        var manager = await OpenAsync(Config(quotaMb: 1));
        var events = new List<StorageQuotaExceeded>();
        using var subscription = manager.QuotaExceeded.Subscribe(events.Add);

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "stream" }]);
        await WaitForStateAsync(manager, "stream", DownloadState.Failed);
        await Eventually.WaitAsync(() => events.Count == 1, "the quota event fired");
        var usage = await manager.GetStorageUsageAsync();

        Assert.Multiple(() =>
        {
            Assert.That(events[0].RequiredBytes, Is.GreaterThan(1024 * 1024));
            Assert.That(Directory.GetFiles(_root), Is.Empty, "no bytes are left behind");
            Assert.That(usage.TotalSize, Is.Zero);
            Assert.That(manager.Get("stream")!.ErrorMessage, Does.Contain("quota"));
        });
    }

    [Test]
    public async Task DownloadForOfflineAsync_SecondFileWouldPassQuota_FirstKeptSecondRefused()
    {
        _source.Put("a", 600 * 1024);
        _source.Put("b", 600 * 1024);
        var manager = await OpenAsync(Config(quotaMb: 1));
        var events = new List<StorageQuotaExceeded>();
        using var subscription = manager.QuotaExceeded.Subscribe(events.Add);

        var result = await manager.DownloadForOfflineAsync(
            [new DownloadRequest { ResourceId = "a", ExpectedSize = 600 * 1024 }, new DownloadRequest { ResourceId = "b", ExpectedSize = 600 * 1024 }]);
        await WaitForStateAsync(manager, "a", DownloadState.Completed);

        Assert.Multiple(() =>
        {
            Assert.That(result.Select(r => r.State), Is.EqualTo(new[] { DownloadState.Pending, DownloadState.Failed }));
            Assert.That(events.Single().Usage, Is.EqualTo(600 * 1024));
        });
    }

    [Test]
    public async Task Downloads_MoreThanTheLimit_RunAtMostTheLimitInPriorityOrder()
    {
        foreach (var id in new[] { "low", "medium", "high", "critical", "low2" })
        {
            _source.Put(id, 200_000);
        }

        var gate = new SemaphoreSlim(0);
        _source.ReadGate = gate;
        _network.SetOnline(false);
        var manager = await OpenAsync(Config(concurrent: 2));
        await manager.DownloadForOfflineAsync(
        [
            new DownloadRequest { ResourceId = "low", Priority = SyncPriority.Low },
            new DownloadRequest { ResourceId = "medium", Priority = SyncPriority.Medium },
            new DownloadRequest { ResourceId = "high", Priority = SyncPriority.High },
            new DownloadRequest { ResourceId = "critical", Priority = SyncPriority.Critical },
            new DownloadRequest { ResourceId = "low2", Priority = SyncPriority.Low },
        ]);
        Assert.That(manager.Get("low")!.State, Is.EqualTo(DownloadState.Paused), "held while offline");

        _network.SetOnline(true);
        await Eventually.WaitAsync(() => _source.Requests.Count == 2, "two downloads started");
        var firstTwo = _source.Requests.Select(r => r.ResourceId).ToList();
        var waiting = manager.Get("low")!.State;
        _source.ReadGate = null;
        gate.Release(1000);
        foreach (var id in new[] { "low", "medium", "high", "critical", "low2" })
        {
            await WaitForStateAsync(manager, id, DownloadState.Completed);
        }

        Assert.Multiple(() =>
        {
            Assert.That(firstTwo, Is.EquivalentTo(new[] { "critical", "high" }));
            Assert.That(waiting, Is.EqualTo(DownloadState.Pending));
            // Both running downloads end together once the gate opens, so the next two start together: the two highest
            // pending (medium, then the first low), in either order on the wire; the second low comes last.
            Assert.That(_source.Requests.Select(r => r.ResourceId).Skip(2).Take(2), Is.EquivalentTo(new[] { "medium", "low" }));
            Assert.That(_source.Requests.Select(r => r.ResourceId).Last(), Is.EqualTo("low2"));
            Assert.That(_source.MaxRunning, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Download_AboveWifiLimitOnCellular_WaitsForWiFi()
    {
        var bytes = _source.Put("video", 5000);
        using var device = new InMemoryDeviceStateMonitor(DeviceState.Unknown with { NetworkKind = NetworkKind.Cellular, IsMetered = true });
        var manager = await OpenAsync(Config(wifiAbove: 1000), device: device);

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "video", ExpectedSize = bytes.Length }, new DownloadRequest { ResourceId = "small", ExpectedSize = 10 }]);
        _source.Put("small", 10);
        var held = manager.Get("video")!.State;
        var requestsWhileHeld = _source.Requests.Count(r => r.ResourceId == "video");
        device.SetNetwork(NetworkKind.WiFi);
        await WaitForStateAsync(manager, "video", DownloadState.Completed);

        Assert.Multiple(() =>
        {
            Assert.That(held, Is.EqualTo(DownloadState.WaitingForWiFi));
            Assert.That(requestsWhileHeld, Is.Zero);
        });
    }

    [Test]
    public async Task Download_NotFound_FailsWithoutRetryAndCleanupRemovesIt()
    {
        var manager = await OpenAsync();

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "missing" }]);
        await WaitForStateAsync(manager, "missing", DownloadState.Failed);
        var removed = await manager.CleanupFailedDownloadsAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(_source.Requests, Has.Count.EqualTo(1));
            Assert.That(removed, Is.EqualTo(1));
            Assert.That(manager.Get("missing"), Is.Null);
            Assert.That(await _store.GetAsync("missing"), Is.Null);
        });
    }

    [Test]
    public async Task RemoveOfflineContentAsync_Completed_DeletesFileAndRow()
    {
        _source.Put("doc", 1000);
        var manager = await OpenAsync();
        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc" }]);
        await WaitForStateAsync(manager, "doc", DownloadState.Completed);
        var path = manager.Get("doc")!.LocalPath!;

        var removed = await manager.RemoveOfflineContentAsync(["doc"]);

        Assert.Multiple(async () =>
        {
            Assert.That(removed, Is.EqualTo(1));
            Assert.That(File.Exists(path), Is.False);
            Assert.That(await _store.GetAsync("doc"), Is.Null);
            Assert.That((await manager.GetStorageUsageAsync()).TotalSize, Is.Zero);
        });
    }

    [Test]
    public async Task DownloadForOfflineAsync_ResourceIds_TakesUrlAndSizeFromReplica()
    {
        var bytes = _source.Put("m1", 4096);
        using var replica = new InMemoryReplicaStore();
        await replica.PutAsync(new ReplicaResource
        {
            ResourceType = ResourceType.MediaAttachment,
            ResourceId = "m1",
            Version = 1,
            Data = new JsonObject(),
            UpdatedAt = DateTimeOffset.UnixEpoch,
            ContentUrl = "/sync/content/m1",
            ContentSize = bytes.Length,
        });
        var manager = await OpenAsync(replica: replica);

        var result = await manager.DownloadForOfflineAsync(["m1"], SyncPriority.High);
        await WaitForStateAsync(manager, "m1", DownloadState.Completed);

        Assert.Multiple(() =>
        {
            Assert.That(result[0].FileUrl, Is.EqualTo("/sync/content/m1"));
            Assert.That(result[0].FileSize, Is.EqualTo(4096));
            Assert.That(result[0].Priority, Is.EqualTo(SyncPriority.High));
        });
    }

    [Test]
    public async Task OpenAsync_AfterShutdownMidDownload_ResumesFromStoredBytes()
    {
        var directory = Path.Combine(Path.GetTempPath(), "rs-dlstore-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var bytes = _source.Put("doc", 1024 * 1024);
            await using (var store = new SqliteDownloadStore(Path.Combine(directory, "d.db")))
            {
                var gate = new SemaphoreSlim(0);
                _source.ReadGate = gate;
                var first = await ContentDownloadManager.OpenAsync(_source, store, _root, Config(), Scheduler.Default, _network);
                await first.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc" }]);
                gate.Release(2);
                await Eventually.WaitAsync(() => _source.BytesServed == 2 * Chunk, "two chunks were served");
                var disposing = first.DisposeAsync();
                gate.Release(100);
                await disposing;
                _source.ReadGate = null;
            }

            await using var reopenedStore = new SqliteDownloadStore(Path.Combine(directory, "d.db"));
            var stored = await reopenedStore.GetAsync("doc");
            var second = await OpenAsync(store: reopenedStore);
            await WaitForStateAsync(second, "doc", DownloadState.Completed);
            await second.DisposeAsync();

            Assert.Multiple(() =>
            {
                Assert.That(stored!.State, Is.EqualTo(DownloadState.Pending));
                Assert.That(stored.DownloadedSize, Is.GreaterThanOrEqualTo(2 * Chunk));
                Assert.That(_source.Requests.Last().Offset, Is.EqualTo(stored.DownloadedSize));
                Assert.That(File.ReadAllBytes(second.Get("doc")!.LocalPath!), Is.EqualTo(bytes));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Test]
    public async Task Progress_Download_EndsWithCompletedAtOneHundredPercentNeverGoingBack()
    {
        _source.Put("doc", 2 * 1024 * 1024);
        var manager = await OpenAsync();
        var seen = new List<DownloadProgress>();
        var done = manager.Progress("doc").Do(p => { lock (seen) { seen.Add(p); } }).FirstAsync(p => p.State == DownloadState.Completed).ToTask();

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "doc" }]);
        var last = await done.WaitAsync(TimeSpan.FromSeconds(20));

        lock (seen)
        {
            Assert.Multiple(() =>
            {
                Assert.That(last.Percent, Is.EqualTo(100));
                Assert.That(last.BytesDownloaded, Is.EqualTo(2 * 1024 * 1024));
                Assert.That(seen.Select(p => p.BytesDownloaded), Is.Ordered);
            });
        }
    }

    [Test]
    public async Task DownloadForOfflineAsync_EmptyResourceId_ThrowsNamingTheArgument()
    {
        var manager = await OpenAsync();

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "" }]));

        Assert.That(ex!.ParamName, Is.EqualTo("requests"));
    }
}
