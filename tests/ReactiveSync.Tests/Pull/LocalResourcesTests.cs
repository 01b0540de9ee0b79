using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using ReactiveSync.Queue;
using static ReactiveSync.Tests.Pull.ReplicaSynchronizerTests;

namespace ReactiveSync.Tests.Pull;

public sealed class LocalResourcesTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private TestScheduler _scheduler = null!;
    private InMemoryReplicaStore _replica = null!;
    private OperationQueue _queue = null!;
    private LocalResources _resources = null!;

    [SetUp]
    public async Task SetUp()
    {
        _scheduler = new TestScheduler();
        _scheduler.AdvanceTo(Instant.UtcTicks);
        _replica = new InMemoryReplicaStore();
        _queue = await OperationQueue.OpenAsync(new InMemoryOperationStore(), SyncConfiguration.Default, _scheduler);
        _resources = new LocalResources(_replica, _queue);
    }

    [TearDown]
    public async Task TearDown()
    {
        await _queue.DisposeAsync();
        _replica.Dispose();
    }

    private Task<OfflineOperation> QueueAsync(OperationType type, string id, JsonNode? data) =>
        _queue.QueueOperationAsync(new OperationRequest { Type = type, ResourceType = ResourceType.Post, ResourceId = id, Data = data });

    [Test]
    public async Task GetAsync_PulledChangeAfterUnsentEdit_KeepsTheEditAndTakesTheRest()
    {
        await _replica.ApplyPageAsync([Row("p1", 1, new JsonObject { ["title"] = "server 1", ["body"] = "b1" })], 1);
        await QueueAsync(OperationType.Update, "p1", new JsonObject { ["title"] = "mine" });

        await _replica.ApplyPageAsync([Row("p1", 2, new JsonObject { ["title"] = "server 2", ["body"] = "b2" })], 2);
        var local = await _resources.GetAsync(ResourceType.Post, "p1");

        Assert.Multiple(() =>
        {
            Assert.That(local!.Data.ToJsonString(), Is.EqualTo("""{"title":"mine","body":"b2"}"""));
            Assert.That(local.ServerVersion, Is.EqualTo(2));
            Assert.That(local.HasPendingChanges, Is.True);
        });
    }

    [Test]
    public async Task GetAsync_SeveralOperations_AppliedInQueueOrder()
    {
        await QueueAsync(OperationType.Create, "p1", new JsonObject { ["a"] = 1 });
        await _queue.TakeBatchAsync(10); // the Create is in flight, so the Update does not fold into it
        await QueueAsync(OperationType.Update, "p1", new JsonObject { ["b"] = 2 });
        await QueueAsync(OperationType.Update, "p1", new JsonObject { ["a"] = 3 });

        var local = await _resources.GetAsync(ResourceType.Post, "p1");

        Assert.Multiple(() =>
        {
            Assert.That(local!.Data.ToJsonString(), Is.EqualTo("""{"a":3,"b":2}"""));
            Assert.That(local.ServerVersion, Is.Null);
        });
    }

    [Test]
    public async Task GetAsync_PendingDelete_IsAbsentThoughTheReplicaHasIt()
    {
        await _replica.PutAsync(Row("p1", 1, new JsonObject { ["t"] = 1 }));
        await QueueAsync(OperationType.Delete, "p1", null);

        Assert.That(await _resources.GetAsync(ResourceType.Post, "p1"), Is.Null);
    }

    [Test]
    public async Task GetAsync_FailedOperation_StillShown()
    {
        await _replica.PutAsync(Row("p1", 1, new JsonObject { ["t"] = "server" }));
        var op = await QueueAsync(OperationType.Update, "p1", new JsonObject { ["t"] = "mine" });
        await _queue.TakeBatchAsync(10);
        await _queue.FailAsync(op.Id, SyncError.Of(SyncErrorType.Validation, "no"));

        var local = await _resources.GetAsync(ResourceType.Post, "p1");

        Assert.That(local!.Data["t"]!.GetValue<string>(), Is.EqualTo("mine"));
    }

    [Test]
    public async Task GetAsync_ServerTombstoneWithoutLocalEdit_IsAbsent()
    {
        await _replica.PutAsync(Row("p1", 2, null) with { Deleted = true });

        Assert.That(await _resources.GetAsync(ResourceType.Post, "p1"), Is.Null);
    }

    [Test]
    public async Task GetBaseAsync_ReplicaRow_AnswersVersionAndCopy()
    {
        await _replica.PutAsync(Row("p1", 4, new JsonObject { ["t"] = 1 }));

        var known = await _resources.GetBaseAsync(ResourceType.Post, "p1");
        var unknown = await _resources.GetBaseAsync(ResourceType.Post, "nope");

        Assert.Multiple(() =>
        {
            Assert.That(known!.Version, Is.EqualTo(4));
            Assert.That(known.Data!.ToJsonString(), Is.EqualTo("""{"t":1}"""));
            Assert.That(unknown, Is.Null);
        });
    }

    [Test]
    public async Task GetAsync_EmptyId_ThrowsNamingIt()
    {
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => _resources.GetAsync(ResourceType.Post, ""));

        Assert.That(ex!.ParamName, Is.EqualTo("resourceId"));
    }

    [Test]
    public async Task Connect_ReplicaAndQueueChange_ViewFollowsBoth()
    {
        await _replica.ApplyPageAsync([Row("p1", 1, new JsonObject { ["t"] = "s1" }), Row("c1", 1, new JsonObject(), ResourceType.Comment)], 1);
        var view = new Dictionary<string, LocalResource>();
        var gate = new object();
        using var subscription = _resources.Connect(ResourceType.Post).Subscribe(changes =>
        {
            lock (gate)
            {
                foreach (var change in changes)
                {
                    if (change.Reason == ChangeReason.Remove)
                    {
                        view.Remove(change.Key);
                    }
                    else
                    {
                        view[change.Key] = change.Current;
                    }
                }
            }
        });

        await WaitUntil(() => view.Count == 1, gate, "the view holds one post", () => Describe(view));
        await QueueAsync(OperationType.Update, "p1", new JsonObject { ["t"] = "mine" });
        await WaitUntil(() => view["p1"].Data["t"]!.GetValue<string>() == "mine", gate, "p1 shows the local update", () => Describe(view));
        await _replica.ApplyPageAsync([Row("p2", 1, new JsonObject { ["t"] = "new" }), Row("p1", 2, new JsonObject { ["t"] = "s2", ["x"] = 1 })], 2);
        await WaitUntil(() => view.Count == 2 && view["p1"].ServerVersion == 2, gate, "the view shows the second page", () => Describe(view));
        await QueueAsync(OperationType.Delete, "p2", null);
        await WaitUntil(() => !view.ContainsKey("p2"), gate, "p2 left the view after its local delete", () => Describe(view));

        lock (gate)
        {
            Assert.Multiple(() =>
            {
                Assert.That(view.Keys, Is.EquivalentTo(new[] { "p1" }));
                Assert.That(view["p1"].Data.ToJsonString(), Is.EqualTo("""{"t":"mine","x":1}"""));
            });
        }
    }

    [Test]
    public async Task Connect_QueueCleared_ViewFallsBackToReplica()
    {
        await _replica.PutAsync(Row("p1", 1, new JsonObject { ["t"] = "server" }));
        await QueueAsync(OperationType.Update, "p1", new JsonObject { ["t"] = "mine" });
        LocalResource? latest = null;
        var gate = new object();
        using var subscription = _resources.Connect(ResourceType.Post).Subscribe(changes =>
        {
            lock (gate)
            {
                latest = changes.Last().Current;
            }
        });
        await WaitUntil(() => latest?.HasPendingChanges == true, gate, "p1 shows pending changes", () => Describe(latest));

        await _queue.ClearQueueAsync();

        await WaitUntil(() => latest is { HasPendingChanges: false } l && l.Data["t"]!.GetValue<string>() == "server", gate, "p1 falls back to the replica", () => Describe(latest));
    }

    // The view refreshes on a background task, so poll with a generous deadline; an entry not there yet throws
    // KeyNotFoundException, which only means "not yet".
    private static Task WaitUntil(Func<bool> condition, object gate, string what, Func<string> lastSeen) =>
        Eventually.WaitAsync<KeyNotFoundException>(
            () =>
            {
                lock (gate)
                {
                    return condition();
                }
            },
            what,
            TimeSpan.FromSeconds(10),
            () =>
            {
                lock (gate)
                {
                    return lastSeen();
                }
            });

    private static string Describe(IReadOnlyDictionary<string, LocalResource> view) =>
        "{" + string.Join(", ", view.Values.Select(Describe)) + "}";

    private static string Describe(LocalResource? resource) =>
        resource is null ? "nothing" : $"{resource.ResourceId} v{resource.ServerVersion} {resource.Data.ToJsonString()}{(resource.HasPendingChanges ? " (pending)" : "")}";
}
