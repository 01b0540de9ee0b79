using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>A drain pulls server changes into the replica after pushing; the engine's local view and base versions follow it.</summary>
public class SyncEnginePullTests
{
    private EngineHarness _h = null!;

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    [Test]
    public async Task SyncNowAsync_ServerChanged_PulledIntoLocalView()
    {
        _h = await EngineHarness.StartAsync();
        _h.Server.PutResource(ResourceType.Post, "q", new JsonObject { ["title"] = "from another device" });

        var result = await _h.Engine.SyncNowAsync();
        var local = await _h.Engine.Resources.GetAsync(ResourceType.Post, "q");

        Assert.Multiple(() =>
        {
            Assert.That(result.PulledChanges, Is.EqualTo(1));
            Assert.That(local!.Data!["title"]!.GetValue<string>(), Is.EqualTo("from another device"));
            Assert.That(local.ServerVersion, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SyncNowAsync_PullDisabled_ReplicaUntouched()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { PullEnabled = false });
        _h.Server.PutResource(ResourceType.Post, "q", new JsonObject { ["title"] = "x" });

        var result = await _h.Engine.SyncNowAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(result.PulledChanges, Is.Zero);
            Assert.That(await _h.Engine.Resources.GetAsync(ResourceType.Post, "q"), Is.Null);
        });
    }

    [Test]
    public async Task QueueOperationAsync_UpdateWithoutBase_TakesVersionAndCopyFromReplica()
    {
        _h = await EngineHarness.StartAsync();
        _h.Server.PutResource(ResourceType.Post, "q", new JsonObject { ["title"] = "v1" });
        _h.Server.PutResource(ResourceType.Post, "q", new JsonObject { ["title"] = "v2" });
        await _h.Engine.SyncNowAsync();
        _h.Engine.Pause();

        var op = await _h.Engine.QueueOperationAsync(OperationType.Update, ResourceType.Post, "q", new JsonObject { ["title"] = "mine" });
        var local = await _h.Engine.Resources.GetAsync(ResourceType.Post, "q");

        Assert.Multiple(() =>
        {
            Assert.That(op.BaseVersion, Is.EqualTo(2));
            Assert.That(op.BaseData!["title"]!.GetValue<string>(), Is.EqualTo("v2"));
            Assert.That(local!.Data!["title"]!.GetValue<string>(), Is.EqualTo("mine"));
        });
    }

    [Test]
    public async Task Drain_CreateApplied_ReplicaHoldsServerVersion()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { PullEnabled = false });
        var op = await _h.Engine.QueueOperationAsync(EngineHarness.Create("n", SyncPriority.High));
        await _h.IdleAsync();

        var local = await _h.Engine.Resources.GetAsync(ResourceType.Post, op.ResourceId);

        Assert.Multiple(() =>
        {
            Assert.That(local!.ServerVersion, Is.EqualTo(1));
            Assert.That(local.HasPendingChanges, Is.False);
            Assert.That(_h.EventsOf<SyncCompleted>().Last().Result.ProcessedOperations, Is.EqualTo(1));
        });
    }
}
