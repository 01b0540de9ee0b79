using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Tests.Pipeline;
using ReactiveSync.Transport;
using static ReactiveSync.Tests.Pipeline.EngineHarness;

namespace ReactiveSync.Tests;

public class SyncEngineTests
{
    private EngineHarness? _h;

    [TearDown]
    public async Task TearDown()
    {
        if (_h is not null)
        {
            await _h.DisposeAsync();
        }
    }

    private static SyncEngineOptions Options(SyncConfiguration? configuration = null, string clientId = "device-1")
    {
        var scheduler = new LockedTestScheduler(T0);
        return new SyncEngineOptions
        {
            OperationStore = new InMemoryOperationStore(),
            Transport = new InMemorySyncTransport(scheduler),
            NetworkMonitor = new InMemoryNetworkMonitor(),
            ClientId = clientId,
            Scheduler = scheduler,
            Configuration = configuration ?? SyncConfiguration.Default,
        };
    }

    [Test]
    public async Task CreateAsync_InvalidConfiguration_ThrowsNamingField()
    {
        var ex = await Assert.ThrowsAsync<SyncConfigurationException>(
            () => SyncEngine.CreateAsync(Options(SyncConfiguration.Default with { BatchSize = 0 })));
        Assert.That(ex!.Field, Is.EqualTo(nameof(SyncConfiguration.BatchSize)));
    }

    [TestCase("")]
    [TestCase("  ")]
    public async Task CreateAsync_BlankClientId_ThrowsArgumentException(string clientId)
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => SyncEngine.CreateAsync(Options(clientId: clientId)));
        Assert.That(ex!.Message, Does.Contain("ClientId"));
    }

    [Test]
    public async Task CreateAsync_NullOptions_ThrowsArgumentNull()
    {
        await Assert.ThrowsAsync<ArgumentNullException>(() => SyncEngine.CreateAsync(null!));
    }

    [Test]
    public async Task QueueOperationAsync_PartsOverload_QueuesAndSyncs()
    {
        _h = await StartAsync();
        var op = await _h.Engine.QueueOperationAsync(
            OperationType.Create, ResourceType.Post, "p1", new JsonObject { ["title"] = "t" }, SyncPriority.High);
        await _h.IdleAsync();
        Assert.Multiple(() =>
        {
            Assert.That(op.ResourceId, Is.EqualTo("p1"));
            Assert.That(_h.ServerHas("p1"), Is.True);
            Assert.That(_h.EventsOf<OperationQueued>().Single().Operation.Id, Is.EqualTo(op.Id));
        });
    }

    [Test]
    public async Task AddSyncListener_ThrowingListener_IsolatedAndOthersStillCalled()
    {
        _h = await StartAsync();
        var good = new RecordingListener();
        using var bad = _h.Engine.AddSyncListener(new ThrowingListener());
        using var subscription = _h.Engine.AddSyncListener(good);

        await _h.QueueCreateAsync("a", SyncPriority.High);
        Assert.Multiple(() =>
        {
            Assert.That(good.Calls, Is.EqualTo(new[] { "queued a", "started", "completed 1" }));
            Assert.That(_h.ServerHas("a"), Is.True);
        });
    }

    [Test]
    public async Task AddSyncListener_Disposed_NoMoreCalls()
    {
        _h = await StartAsync();
        var listener = new RecordingListener();
        _h.Engine.AddSyncListener(listener).Dispose();
        await _h.QueueCreateAsync("a", SyncPriority.High);
        Assert.That(listener.Calls, Is.Empty);
    }

    [Test]
    public async Task AddSyncListener_DefaultMethods_ListenerNeedImplementOnlyWhatItWants()
    {
        _h = await StartAsync();
        var listener = new NetworkOnlyListener();
        using var subscription = _h.Engine.AddSyncListener(listener);
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.SetOnlineAsync(false);
        Assert.That(listener.Changes, Is.EqualTo(new[] { false }));
    }

    [Test]
    public async Task RetryFailedOperationsAsync_MakesFailedPendingAndSyncs()
    {
        _h = await StartAsync();
        _h.Server.SetValidator(ResourceType.Post, _ => "no");
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        Assert.That((await _h.Queue.GetOperationAsync(op.Id))!.State, Is.EqualTo(OperationState.Failed));

        _h.Server.SetValidator(ResourceType.Post, _ => null);
        var count = await _h.Engine.RetryFailedOperationsAsync();
        await _h.IdleAsync();
        Assert.Multiple(() =>
        {
            Assert.That(count, Is.EqualTo(1));
            Assert.That(_h.ServerHas("a"), Is.True);
        });
    }

    [Test]
    public async Task ClearOperationQueueAsync_RemovesEverything()
    {
        _h = await StartAsync(online: false);
        await _h.QueueCreateAsync("a");
        await _h.QueueCreateAsync("b");
        var removed = await _h.Engine.ClearOperationQueueAsync();
        var status = await _h.Engine.GetOfflineStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(2));
            Assert.That(status.PendingOperations, Is.EqualTo(0));
        });
    }

    [Test]
    public async Task IsOnline_ReplaysCurrentAndFollowsNetwork()
    {
        _h = await StartAsync();
        var seen = new List<bool>();
        using var subscription = _h.Engine.IsOnline.Subscribe(seen.Add);
        await _h.SetOnlineAsync(false);
        await _h.SetOnlineAsync(true);
        Assert.That(seen, Is.EqualTo(new[] { true, false, true }));
    }

    [Test]
    public async Task DisposeAsync_Twice_IsSafeAndCompletesStreams()
    {
        _h = await StartAsync();
        var completed = false;
        using var subscription = _h.Engine.Events.Subscribe(_ => { }, () => completed = true);
        await _h.Engine.DisposeAsync();
        await _h.Engine.DisposeAsync();
        Assert.That(completed, Is.True);
        await Assert.ThrowsAsync<ObjectDisposedException>(() => _h.Engine.SyncNowAsync());
    }

    private sealed class RecordingListener : ISyncEventListener
    {
        public List<string> Calls { get; } = [];

        public void OnSyncStarted() => Calls.Add("started");

        public void OnSyncCompleted(SyncResult result) => Calls.Add($"completed {result.ProcessedOperations}");

        public void OnOperationQueued(OfflineOperation operation) => Calls.Add($"queued {operation.ResourceId}");
    }

    private sealed class ThrowingListener : ISyncEventListener
    {
        public void OnSyncStarted() => throw new InvalidOperationException("listener bug");

        public void OnOperationQueued(OfflineOperation operation) => throw new InvalidOperationException("listener bug");
    }

    private sealed class NetworkOnlyListener : ISyncEventListener
    {
        public List<bool> Changes { get; } = [];

        public void OnNetworkStatusChanged(bool isOnline) => Changes.Add(isOnline);
    }
}
