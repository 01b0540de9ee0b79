using System.Reactive.Concurrency;
using System.Text.Json.Nodes;
using ReactiveSync.Http;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Pull;

[Category("Integration")]
public sealed class ReplicaPullTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly FixedTimeProvider _clock = new(Instant);
    private TestServer _server = null!;
    private HttpClient _client = null!;
    private string _directory = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestServer.StartAsync(options => options.TimeProvider = _clock);
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
        _directory = Path.Combine(Path.GetTempPath(), "rs-pull-it-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_directory, recursive: true);

    private HttpSyncTransport Transport() => new(_server.BaseAddress, new StaticAccessTokenProvider("t"), Scheduler.Default);

    [Test]
    public async Task PullAsync_ThousandsOfRowsSharingOneTimestamp_PagesIntoReplicaWithoutSkipOrDuplicate()
    {
        var type = "shared_ts";
        var ids = Enumerable.Range(0, 3000).Select(i => $"row-{i:D5}").ToList();
        foreach (var chunk in ids.Chunk(1000))
        {
            await PushAsync(_client, "device-1", chunk.Select(id => Op("create", type, id, data: new JsonObject { ["id"] = id })).ToArray());
        }

        using var transport = Transport();
        await using var replica = new SqliteReplicaStore(Path.Combine(_directory, "replica.db"));
        var synchronizer = new ReplicaSynchronizer(transport, replica, SyncConfiguration.Default with { PullPageSize = 250 }, Scheduler.Default);

        var applied = await synchronizer.PullAsync();
        var rows = new List<ReplicaResource>();
        string? after = null;
        while (true)
        {
            var page = await replica.GetPageAsync(ResourceType.From(type), after, 1000);
            rows.AddRange(page);
            if (page.Count < 1000)
            {
                break;
            }

            after = page[^1].ResourceId;
        }

        Assert.Multiple(async () =>
        {
            Assert.That(applied, Is.GreaterThanOrEqualTo(3000));
            Assert.That(rows.Select(r => r.ResourceId), Is.EqualTo(ids));
            Assert.That(rows.Select(r => r.UpdatedAt).Distinct(), Is.EqualTo(new[] { Instant }));
            Assert.That(await replica.GetCheckpointAsync(), Is.EqualTo(await _server.Store.GetLastSequenceAsync()));
            Assert.That(await synchronizer.PullAsync(), Is.Zero, "a second pull finds nothing new");
        });
    }

    [Test]
    public async Task PulledChange_AfterUnsentLocalEdit_NeverOverwritesTheEdit()
    {
        var id = "post-" + Guid.NewGuid().ToString("N");
        await PushOneAsync(_client, "device-2", Op("create", "post", id, data: new JsonObject { ["title"] = "first", ["body"] = "b1" }));
        using var transport = Transport();
        await using var replica = new SqliteReplicaStore(Path.Combine(_directory, "replica.db"));
        var synchronizer = new ReplicaSynchronizer(transport, replica, SyncConfiguration.Default, Scheduler.Default);
        await synchronizer.PullAsync();
        await using var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(Path.Combine(_directory, "queue.db")), SyncConfiguration.Default, Scheduler.Default);
        var resources = new LocalResources(replica, queue);
        var @base = await resources.GetBaseAsync(ResourceType.Post, id);
        await queue.QueueOperationAsync(new OperationRequest
        {
            Type = OperationType.Update,
            ResourceType = ResourceType.Post,
            ResourceId = id,
            Data = new JsonObject { ["title"] = "mine" },
            BaseVersion = @base!.Version,
            BaseData = @base.Data,
        });

        // Another device changes both fields on the server; this device pulls before it pushes.
        await PushOneAsync(_client, "device-2", Op("update", "post", id, baseVersion: 1, data: new JsonObject { ["title"] = "theirs", ["body"] = "b2" }));
        await synchronizer.PullAsync();
        var local = await resources.GetAsync(ResourceType.Post, id);

        Assert.Multiple(() =>
        {
            Assert.That(local!.Data["title"]!.GetValue<string>(), Is.EqualTo("mine"));
            Assert.That(local.Data["body"]!.GetValue<string>(), Is.EqualTo("b2"));
            Assert.That(local.ServerVersion, Is.EqualTo(2));
            Assert.That(local.HasPendingChanges, Is.True);
        });
    }
}
