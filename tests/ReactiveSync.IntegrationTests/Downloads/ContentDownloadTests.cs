using System.Reactive.Concurrency;
using System.Text.Json.Nodes;
using ReactiveSync.Downloads;
using ReactiveSync.Http;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Model;
using ReactiveSync.Network;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Downloads;

[Category("Integration")]
[NonParallelizable]
public sealed class ContentDownloadTests
{
    private TestServer _server = null!;
    private HttpClient _client = null!;
    private string _root = null!;
    private HttpSyncTransport _transport = null!;
    private InMemoryNetworkMonitor _network = null!;
    private RecordingContentSource _source = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestServer.StartAsync();
        _client = _server.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [SetUp]
    public void SetUp()
    {
        _root = Path.Combine(Path.GetTempPath(), "rs-dl-it-" + Guid.NewGuid().ToString("N"));
        _transport = new HttpSyncTransport(_server.BaseAddress, new StaticAccessTokenProvider("t"), Scheduler.Default);
        _network = new InMemoryNetworkMonitor(online: true);
        _source = new RecordingContentSource(_transport.ContentSource);
        _server.Options.Faults.Disable();
        _server.Metrics.Reset();
    }

    [TearDown]
    public void TearDown()
    {
        _server.Options.Faults.Disable();
        _transport.Dispose();
        _network.Dispose();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private Task<ContentDownloadManager> OpenAsync(long quotaMb = 100, TimeSpan? retryDelay = null) =>
        ContentDownloadManager.OpenAsync(
            _source,
            new InMemoryDownloadStore(),
            _root,
            SyncConfiguration.Default with { StorageQuotaMB = quotaMb, InitialRetryDelay = retryDelay ?? TimeSpan.FromSeconds(1) },
            Scheduler.Default,
            _network);

    private async Task<byte[]> PutAsync(string id, int size, int seed)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        using var response = await PutContentAsync(_client, id, bytes);
        response.EnsureSuccessStatusCode();
        return bytes;
    }

    private static Task WaitAsync(Func<bool> condition, string what) => Eventually.WaitAsync(condition, what, TimeSpan.FromSeconds(30));

    private static Task WaitForStateAsync(ContentDownloadManager manager, string id, DownloadState state) =>
        Eventually.WaitAsync(
            () => manager.Get(id)?.State == state,
            $"{id} is {state}",
            TimeSpan.FromSeconds(30),
            () => $"{manager.Get(id)?.State}: {manager.Get(id)?.ErrorMessage}");

    [Test]
    public async Task Download_ConnectionAbortedMidFile_ResumesAndServerSendsOnlyTheMissingBytes()
    {
        const int size = 4 * 1024 * 1024;
        const long cut = 1536 * 1024;
        var bytes = await PutAsync("cut-file", size, seed: 1);
        _server.Metrics.Reset();
        _server.Options.Faults.AbortAfterBytes = cut;
        _server.Options.Faults.AbortRate = 1;
        await using var manager = await OpenAsync();

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "cut-file", ExpectedSize = size }]);
        await WaitAsync(() => _server.Metrics.FaultsInjected >= 1, "the server cut the first response");
        _server.Options.Faults.Disable();
        await WaitForStateAsync(manager, "cut-file", DownloadState.Completed);
        var requests = _source.Requests.ToArray();
        var resumedAt = requests[^1].AskedOffset;

        // The server counts a write after handing it to the socket, so its count may trail the client for a moment.
        await WaitAsync(() => _server.Metrics.ContentBytesServed >= cut + (size - resumedAt), "the server counted the second response");
        var served = _server.Metrics.ContentBytesServed;

        Assert.Multiple(() =>
        {
            Assert.That(_server.Metrics.FaultsInjected, Is.EqualTo(1));
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(resumedAt, Is.GreaterThan(0).And.LessThanOrEqualTo(cut), "it resumed from the bytes it kept");
            Assert.That(requests[^1].Partial, Is.True);
            Assert.That(served - cut, Is.EqualTo(size - resumedAt), "the second response carried exactly the missing bytes");
            Assert.That(File.ReadAllBytes(manager.Get("cut-file")!.LocalPath!), Is.EqualTo(bytes));
        });
        TestContext.Out.WriteLine($"cut after {cut} bytes, resumed at {resumedAt}, served in all {served} of {size}");
    }

    [Test]
    public async Task Download_ServerCopyChangedBeforeResume_StartsOverWithTheNewCopy()
    {
        const long cut = 512 * 1024;
        await PutAsync("changing", 2 * 1024 * 1024, seed: 1);
        _server.Metrics.Reset();
        _server.Options.Faults.AbortAfterBytes = cut;
        _server.Options.Faults.AbortRate = 1;
        await using var manager = await OpenAsync(retryDelay: TimeSpan.FromSeconds(2));

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "changing" }]);
        await WaitAsync(() => _server.Metrics.FaultsInjected >= 1, "the server cut the first response");
        _server.Options.Faults.Disable();
        var changed = await PutAsync("changing", 1024 * 1024 + 17, seed: 2);
        await WaitForStateAsync(manager, "changing", DownloadState.Completed);
        await WaitAsync(() => _server.Metrics.ContentBytesServed >= cut + changed.Length, "the server counted the second response");
        var requests = _source.Requests.ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(requests[^1].AskedOffset, Is.GreaterThan(0), "it asked to resume");
            Assert.That(requests[^1].Partial, Is.False, "the server sent the whole new copy instead");
            Assert.That(File.ReadAllBytes(manager.Get("changing")!.LocalPath!), Is.EqualTo(changed));
            Assert.That(_server.Metrics.ContentBytesServed, Is.EqualTo(cut + changed.Length), "the whole new copy, once");
            Assert.That(Directory.GetFiles(manager.ContentRoot, "*.part"), Is.Empty);
        });
    }

    [Test]
    public async Task Download_KnownSizeOverQuota_NoByteRequestedAndEventFires()
    {
        await PutAsync("too-big", 3 * 1024 * 1024, seed: 3);
        _server.Metrics.Reset();
        await using var manager = await OpenAsync(quotaMb: 1);
        var events = new List<StorageQuotaExceeded>();
        using var subscription = manager.QuotaExceeded.Subscribe(events.Add);

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "too-big", ExpectedSize = 3 * 1024 * 1024 }]);

        Assert.Multiple(() =>
        {
            Assert.That(events.Single().Limit, Is.EqualTo(1024 * 1024));
            Assert.That(_server.Metrics.ContentBytesServed, Is.Zero);
            Assert.That(Directory.GetFiles(manager.ContentRoot), Is.Empty);
        });
    }

    [Test]
    public async Task Download_SizeLearnedFromServerOverQuota_StopsLeavesNoBytesAndEventFires()
    {
        await PutAsync("unknown-size", 3 * 1024 * 1024, seed: 4);
        await using var manager = await OpenAsync(quotaMb: 1);
        var events = new List<StorageQuotaExceeded>();
        using var subscription = manager.QuotaExceeded.Subscribe(e => { lock (events) { events.Add(e); } });

        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = "unknown-size" }]);
        await WaitForStateAsync(manager, "unknown-size", DownloadState.Failed);
        await WaitAsync(() => { lock (events) { return events.Count == 1; } }, "the quota event fired");

        Assert.Multiple(async () =>
        {
            Assert.That(events[0].RequiredBytes, Is.EqualTo(3 * 1024 * 1024));
            Assert.That(Directory.GetFiles(manager.ContentRoot), Is.Empty, "no bytes are left behind");
            Assert.That((await manager.GetStorageUsageAsync()).ReservedBytes, Is.Zero);
        });
    }

    [Test]
    public async Task Download_HostileResourceIds_FilesStayInsideTheContentRoot()
    {
        string[] ids = ["../../etc/passwd", "/etc/hosts", "CON", "nul", "Report", "report", new string('z', 300)];
        var expected = new Dictionary<string, byte[]>();
        for (var i = 0; i < ids.Length; i++)
        {
            expected[ids[i]] = await PutAsync(ids[i], 1000 + i, seed: 10 + i);
        }

        await using var manager = await OpenAsync();

        await manager.DownloadForOfflineAsync(ids.Select(id => new DownloadRequest { ResourceId = id }));
        foreach (var id in ids)
        {
            await WaitForStateAsync(manager, id, DownloadState.Completed);
        }

        var files = Directory.GetFiles(manager.ContentRoot, "*", SearchOption.AllDirectories);
        Assert.Multiple(() =>
        {
            Assert.That(files, Has.Length.EqualTo(ids.Length), "one file each, no collision, nothing elsewhere");
            foreach (var id in ids)
            {
                var path = manager.Get(id)!.LocalPath!;
                Assert.That(Path.GetDirectoryName(path), Is.EqualTo(manager.ContentRoot), id);
                Assert.That(File.ReadAllBytes(path), Is.EqualTo(expected[id]), id);
            }
        });
    }

    [Test]
    public async Task ContentUploader_UploadOperation_ServerHoldsTheFile()
    {
        Directory.CreateDirectory(_root);
        var path = Path.Combine(_root, "upload.bin");
        var bytes = new byte[300_000];
        new Random(7).NextBytes(bytes);
        await File.WriteAllBytesAsync(path, bytes);
        var operation = new OfflineOperation
        {
            Id = Guid.NewGuid(),
            Type = OperationType.Upload,
            ResourceType = ResourceType.MediaAttachment,
            ResourceId = "uploaded-" + Guid.NewGuid().ToString("N"),
            Data = ContentUploader.CreateOperationData(path, "application/octet-stream", new JsonObject { ["caption"] = "c" }),
            CreatedAt = DateTimeOffset.UnixEpoch,
            ScheduledAt = DateTimeOffset.UnixEpoch,
            ClientTimestamp = DateTimeOffset.UnixEpoch,
        };

        var toPush = await new ContentUploader(_transport).UploadAsync(operation);
        var onServer = await _client.GetByteArrayAsync(ContentPath(operation.ResourceId));

        Assert.Multiple(() =>
        {
            Assert.That(onServer, Is.EqualTo(bytes));
            Assert.That(toPush.Data!.AsObject().ContainsKey(ContentUploader.LocalContentMember), Is.False);
        });
    }
}
