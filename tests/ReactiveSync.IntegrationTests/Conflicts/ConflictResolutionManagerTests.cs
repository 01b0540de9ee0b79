using System.Collections.Frozen;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Conflicts;
using ReactiveSync.Events;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.IntegrationTests.Sync;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Server.Storage;

namespace ReactiveSync.IntegrationTests.Conflicts;

/// <summary>
/// Two teachers edit the same post offline from the same base version; device A comes online first, then device B.
/// Once per strategy, on the real server over HTTP with SQLite on both ends: the server ends up exactly as the
/// strategy promises. A changed title and body; B changed title and summary and sent body unchanged (a whole-form
/// save), which is where ClientWins and Merge part ways.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class ConflictResolutionManagerTests
{
    private const string PostId = "post-lesson-1";
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private static readonly JsonObject Base = new()
    {
        ["title"] = "Lesson plan",
        ["body"] = "Fractions",
        ["summary"] = "draft",
        ["tags"] = new JsonArray("math"),
    };

    private static readonly JsonObject PatchA = new() { ["title"] = "Lesson plan (A)", ["body"] = "Fractions and decimals" };

    private static readonly JsonObject PatchB = new() { ["title"] = "Lesson plan (B)", ["body"] = "Fractions", ["summary"] = "ready" };

    private static readonly JsonObject StateA = new()
    {
        ["title"] = "Lesson plan (A)",
        ["body"] = "Fractions and decimals",
        ["summary"] = "draft",
        ["tags"] = new JsonArray("math"),
    };

    private readonly List<TestDevice> _disposables = [];
    private TestServer _server = null!;
    private string _directory = null!;

    [SetUp]
    public async Task StartServer()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-conflicts-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
        _server = await TestServer.StartAsync();
        using var http = _server.CreateClient();
        var seeded = await SyncWire.PushOneAsync(http, "seeder", SyncWire.Op("create", "post", PostId, data: Base));
        Assert.That(seeded["status"]!.GetValue<string>(), Is.EqualTo("applied"));
    }

    [TearDown]
    public async Task StopServer()
    {
        foreach (var device in _disposables)
        {
            await device.DisposeAsync();
        }

        _disposables.Clear();
        await _server.DisposeAsync();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Sync_ClientWins_SecondDeviceFieldsOverwriteFirst()
    {
        var (_, b) = await EditOnBothThenSyncAInThenBAsync(ConflictResolutionStrategy.ClientWins);
        await b.Device.WaitUntilDrainedAsync(Timeout);

        await AssertServerAsync(3, new JsonObject
        {
            ["title"] = "Lesson plan (B)",
            ["body"] = "Fractions", // B sent it, so B's value wins even though B did not change it
            ["summary"] = "ready",
            ["tags"] = new JsonArray("math"),
        });
        AssertOneConflict(b.Device, ConflictResolutionStrategy.ClientWins);
        await AssertQueueEmptyAsync(b.Device);
    }

    [Test]
    public async Task Sync_ServerWins_FirstDeviceStateStandsAndSecondEditIsDropped()
    {
        var (_, b) = await EditOnBothThenSyncAInThenBAsync(ConflictResolutionStrategy.ServerWins);
        await b.Device.WaitUntilDrainedAsync(Timeout);

        await AssertServerAsync(2, StateA);
        AssertOneConflict(b.Device, ConflictResolutionStrategy.ServerWins);
        await AssertQueueEmptyAsync(b.Device);
    }

    [Test]
    public async Task Sync_Merge_FieldsChangedOnOneSideKeptAndBothChangedGoToClient()
    {
        var (_, b) = await EditOnBothThenSyncAInThenBAsync(ConflictResolutionStrategy.Merge);
        await b.Device.WaitUntilDrainedAsync(Timeout);

        await AssertServerAsync(3, new JsonObject
        {
            ["title"] = "Lesson plan (B)", // both changed: the client's
            ["body"] = "Fractions and decimals", // only A changed it: kept
            ["summary"] = "ready", // only B changed it
            ["tags"] = new JsonArray("math"),
        });
        var conflict = AssertOneConflict(b.Device, ConflictResolutionStrategy.Merge);
        Assert.That(conflict.ConflictingFields, Is.EqualTo(new[] { "title" }));
        await AssertQueueEmptyAsync(b.Device);
    }

    [Test]
    public async Task Sync_LastModifiedWins_EditMadeBeforeTheServerChangeLoses()
    {
        // B edited offline before A's edit reached the server: the server's copy is the later one.
        var (_, b) = await EditOnBothThenSyncAInThenBAsync(ConflictResolutionStrategy.LastModifiedWins);
        await b.Device.WaitUntilDrainedAsync(Timeout);

        await AssertServerAsync(2, StateA);
        var conflict = AssertOneConflict(b.Device, ConflictResolutionStrategy.LastModifiedWins);
        Assert.That(conflict.ClientTimestamp, Is.LessThan(conflict.ServerUpdatedAt!.Value));
        await AssertQueueEmptyAsync(b.Device);
    }

    [Test]
    public async Task Sync_LastModifiedWins_EditMadeAfterTheServerChangeWins()
    {
        var configuration = Configuration(ConflictResolutionStrategy.LastModifiedWins);
        await using var a = await DeviceAsync("device-a", configuration);
        await using var b = await DeviceAsync("device-b", configuration);
        await QueueEditAsync(a.Device, PatchA);
        a.Network.SetOnline(true);
        await a.Device.WaitUntilDrainedAsync(Timeout);
        var afterA = await _server.Store.GetResourceAsync("post", PostId);

        // B, still offline on version 1, edits clearly later than the server's change: the Date header the offset is
        // learned from has one-second resolution, so wait until the server's own clock is 3 s past it.
        await WaitForServerClockAsync(afterA!.UpdatedAt + TimeSpan.FromSeconds(3));
        await QueueEditAsync(b.Device, PatchB);
        b.Network.SetOnline(true);
        await b.Device.WaitUntilDrainedAsync(Timeout);

        await AssertServerAsync(3, new JsonObject
        {
            ["title"] = "Lesson plan (B)",
            ["body"] = "Fractions",
            ["summary"] = "ready",
            ["tags"] = new JsonArray("math"),
        });
        var conflict = AssertOneConflict(b.Device, ConflictResolutionStrategy.LastModifiedWins);
        Assert.That(conflict.Note, Does.Contain("client is later"));
    }

    [Test]
    public async Task Sync_LastModifiedWinsWithClientClockAnHourFast_DoesNotWinAgainstLaterServerEdit()
    {
        var configuration = Configuration(ConflictResolutionStrategy.LastModifiedWins);
        var fastClock = new ShiftedScheduler(DefaultScheduler.Instance, TimeSpan.FromHours(1));
        await using var a = await DeviceAsync("device-a", configuration);
        await using var b = await DeviceAsync("device-b", configuration, fastClock);

        // B edits first (its clock says an hour later); A's edit reaches the server after that.
        var edit = await QueueEditAsync(b.Device, PatchB);
        await QueueEditAsync(a.Device, PatchA);
        a.Network.SetOnline(true);
        await a.Device.WaitUntilDrainedAsync(Timeout);
        b.Network.SetOnline(true);
        await b.Device.WaitUntilDrainedAsync(Timeout);

        await AssertServerAsync(2, StateA);
        var conflict = AssertOneConflict(b.Device, ConflictResolutionStrategy.LastModifiedWins);
        Assert.Multiple(() =>
        {
            // Uncorrected, B's timestamp is later than the server's change and would have won.
            Assert.That(edit.ClientTimestamp, Is.GreaterThan(conflict.ServerUpdatedAt!.Value));
            Assert.That(b.Device.Transport.ServerClockOffset, Is.InRange(TimeSpan.FromHours(-1) - TimeSpan.FromSeconds(5), TimeSpan.FromHours(-1) + TimeSpan.FromSeconds(1)));
            Assert.That(conflict.Note, Does.Contain("server is later"));
        });
        await AssertQueueEmptyAsync(b.Device);
    }

    [Test]
    public async Task ResolveConflictAsync_PromptUserConflictParkedThenEngineReopened_SurvivesAndSyncsChosenData()
    {
        var configuration = Configuration(ConflictResolutionStrategy.PromptUser);
        SyncConflict parked;
        Guid operationId;
        await using (var a = await DeviceAsync("device-a", configuration))
        await using (var b = await DeviceAsync("device-b", configuration, durableKeyValues: true))
        {
            operationId = (await QueueEditAsync(b.Device, PatchB)).Id;
            await QueueEditAsync(a.Device, PatchA);
            a.Network.SetOnline(true);
            await a.Device.WaitUntilDrainedAsync(Timeout);
            b.Network.SetOnline(true);
            await b.Device.WaitForStatusAsync(s => s.Conflicts == 1 && s.PendingOperations == 0 && !s.IsSyncing, Timeout, "parked conflict");

            parked = AssertOneConflict(b.Device, ConflictResolutionStrategy.PromptUser);
            var pending = await b.Device.Engine.ConflictResolver.GetPendingConflictsAsync();
            Assert.That(pending.Select(c => c.Id), Is.EqualTo(new[] { parked.Id }));
            await AssertServerAsync(2, StateA);
        }

        // The app restarts: the same files, the server reachable.
        var network = new InMemoryNetworkMonitor(online: true);
        await using var reopened = await SyncTestClient.StartAsync(
            _server.BaseAddress, Path.Combine(_directory, "device-b"), "device-b", configuration, network, durableKeyValues: true);
        var survived = await reopened.Engine.ConflictResolver.GetPendingConflictsAsync();
        Assert.That(survived, Has.Count.EqualTo(1));
        Assert.Multiple(() =>
        {
            Assert.That(survived[0].Id, Is.EqualTo(parked.Id));
            Assert.That(survived[0].OperationId, Is.EqualTo(operationId));
            Assert.That(JsonNode.DeepEquals(survived[0].ServerData, StateA), Is.True, "the server copy is kept with the conflict");
            Assert.That(JsonNode.DeepEquals(survived[0].ClientData, PatchB), Is.True);
        });
        Assert.That((await reopened.Engine.OperationQueue.GetOperationAsync(operationId))?.State, Is.EqualTo(OperationState.Conflict));

        var chosen = new JsonObject
        {
            ["title"] = "Lesson plan (A+B)",
            ["body"] = "Fractions and decimals",
            ["summary"] = "ready",
            ["tags"] = new JsonArray("math", "year-5"),
        };
        await reopened.Engine.ResolveConflictAsync(parked.Id, new ConflictResolution.UseData(chosen));
        await reopened.WaitForStatusAsync(s => s.Conflicts == 0 && s.PendingOperations == 0 && !s.IsSyncing, Timeout, "resolved conflict synced");

        await AssertServerAsync(3, chosen);
        Assert.That(await reopened.Engine.ConflictResolver.GetPendingConflictsAsync(), Is.Empty);
        await AssertQueueEmptyAsync(reopened);
    }

    [Test]
    public async Task CreateAsync_PromptUserConflictParkedWithInMemoryConflictStore_OperationParkedAgainAfterRestart()
    {
        // The default key-value store is in memory: the parked conflict is gone after a restart, the operation is not.
        var configuration = Configuration(ConflictResolutionStrategy.PromptUser);
        Guid operationId;
        await using (var a = await DeviceAsync("device-a", configuration))
        await using (var b = await DeviceAsync("device-b", configuration))
        {
            operationId = (await QueueEditAsync(b.Device, PatchB)).Id;
            await QueueEditAsync(a.Device, PatchA);
            a.Network.SetOnline(true);
            await a.Device.WaitUntilDrainedAsync(Timeout);
            b.Network.SetOnline(true);
            await b.Device.WaitForStatusAsync(s => s.Conflicts == 1 && s.PendingOperations == 0 && !s.IsSyncing, Timeout, "parked conflict");
        }

        var network = new InMemoryNetworkMonitor(online: true);
        await using var reopened = await SyncTestClient.StartAsync(
            _server.BaseAddress, Path.Combine(_directory, "device-b"), "device-b", configuration, network);

        // Without a conflict to resolve, the operation would wait in the Conflict state for ever: it must be asked about again.
        var pending = await reopened.Engine.ConflictResolver.PendingConflicts
            .FirstAsync(list => list.Count == 1)
            .Timeout(Timeout)
            .ToTask();
        Assert.Multiple(() =>
        {
            Assert.That(pending[0].OperationId, Is.EqualTo(operationId));
            Assert.That(pending[0].ServerVersion, Is.EqualTo(2));
            Assert.That(JsonNode.DeepEquals(pending[0].ClientData, PatchB), Is.True);
        });

        await reopened.Engine.ResolveConflictAsync(pending[0].Id, new ConflictResolution.UseClient());
        await reopened.WaitForStatusAsync(s => s.Conflicts == 0 && s.PendingOperations == 0 && !s.IsSyncing, Timeout, "resolved conflict synced");
        await AssertServerAsync(3, new JsonObject
        {
            ["title"] = "Lesson plan (B)",
            ["body"] = "Fractions",
            ["summary"] = "ready",
            ["tags"] = new JsonArray("math"),
        });
        await AssertQueueEmptyAsync(reopened);
    }

    private static SyncConfiguration Configuration(ConflictResolutionStrategy strategy) => new()
    {
        ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy> { [ResourceType.Post] = strategy }.ToFrozenDictionary(),
        QueueChangeDebounce = TimeSpan.FromMilliseconds(20),
        InitialRetryDelay = TimeSpan.FromMilliseconds(50),
        MaxRetryDelay = TimeSpan.FromMilliseconds(500),
    };

    private static Task<OfflineOperation> QueueEditAsync(SyncTestClient device, JsonObject patch) =>
        device.Engine.QueueOperationAsync(new OperationRequest
        {
            Type = OperationType.Update,
            ResourceType = ResourceType.Post,
            ResourceId = PostId,
            Data = patch.DeepClone(),
            BaseVersion = 1,
            BaseData = Base.DeepClone(),
        });

    private static SyncConflict AssertOneConflict(SyncTestClient device, ConflictResolutionStrategy strategy)
    {
        var conflicts = device.Conflicts;
        Assert.That(conflicts, Has.Count.EqualTo(1), "conflicts seen by device B");
        var conflict = conflicts[0];
        var detected = device.Events.OfType<ConflictDetected>().Select(e => e.Conflict.Id);
        Assert.Multiple(() =>
        {
            Assert.That(detected, Is.EqualTo(new[] { conflict.Id }), "one ConflictDetected event for the conflict");
            Assert.That(conflict.Strategy, Is.EqualTo(strategy));
            Assert.That(conflict.ServerVersion, Is.EqualTo(2));
            Assert.That(conflict.ResourceId, Is.EqualTo(PostId));
            Assert.That(JsonNode.DeepEquals(conflict.ServerData, StateA), Is.True, "the conflict carries A's copy");
        });
        return conflict;
    }

    private static async Task AssertQueueEmptyAsync(SyncTestClient device) =>
        Assert.That((await device.Engine.OperationQueue.GetQueueStatsAsync()).Total, Is.Zero, "operations left on device B");

    private async Task AssertServerAsync(long version, JsonObject data)
    {
        StoredResource? post = await _server.Store.GetResourceAsync("post", PostId);
        Assert.That(post, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(post!.Version, Is.EqualTo(version), "server version");
            Assert.That(JsonNode.DeepEquals(post.Data, data), Is.True, $"server data {post.Data?.ToJsonString()} should be {data.ToJsonString()}");
        });
    }

    /// <summary>Both devices edit offline from version 1 (B first); A comes online and syncs; then B comes online.</summary>
    private async Task<(TestDevice A, TestDevice B)> EditOnBothThenSyncAInThenBAsync(ConflictResolutionStrategy strategy)
    {
        var configuration = Configuration(strategy);
        var a = await DeviceAsync("device-a", configuration);
        var b = await DeviceAsync("device-b", configuration);
        _disposables.Add(a);
        _disposables.Add(b);
        await QueueEditAsync(b.Device, PatchB);
        await QueueEditAsync(a.Device, PatchA);
        a.Network.SetOnline(true);
        await a.Device.WaitUntilDrainedAsync(Timeout);
        await AssertServerAsync(2, StateA);
        b.Network.SetOnline(true);
        return (a, b);
    }

    private async Task<TestDevice> DeviceAsync(string clientId, SyncConfiguration configuration, IScheduler? scheduler = null, bool durableKeyValues = false)
    {
        var network = new InMemoryNetworkMonitor(online: false);
        var device = await SyncTestClient.StartAsync(
            _server.BaseAddress, Path.Combine(_directory, clientId), clientId, configuration, network, scheduler: scheduler, durableKeyValues: durableKeyValues);
        return new TestDevice(device, network);
    }

    /// <summary>Polls the server's <c>Date</c> header until it reaches <paramref name="instant"/> (a real clock on a real socket).</summary>
    private async Task WaitForServerClockAsync(DateTimeOffset instant)
    {
        using var http = _server.CreateClient();
        DateTimeOffset? seen = null;
        await Eventually.WaitAsync(
            async () =>
            {
                using var response = await http.GetAsync("health");
                seen = response.Headers.Date;
                return seen >= instant;
            },
            $"the server clock reached {instant:O}",
            TimeSpan.FromSeconds(15),
            () => seen?.ToString("O"),
            TimeSpan.FromMilliseconds(100)); // waiting for the real server's clock
    }

    private sealed class TestDevice(SyncTestClient device, InMemoryNetworkMonitor network) : IAsyncDisposable
    {
        public SyncTestClient Device { get; } = device;

        public InMemoryNetworkMonitor Network { get; } = network;

        public async ValueTask DisposeAsync()
        {
            await Device.DisposeAsync();
            Network.Dispose();
        }
    }
}
