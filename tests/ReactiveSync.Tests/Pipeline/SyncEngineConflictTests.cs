using System.Text.Json.Nodes;
using ReactiveSync.Conflicts;
using ReactiveSync.Events;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>The engine settles conflicts through its <see cref="ConflictResolutionManager"/>, per the configured strategy.</summary>
public class SyncEngineConflictTests
{
    private EngineHarness _h = null!;

    [TearDown]
    public async Task TearDown() => await _h.DisposeAsync();

    private static SyncConfiguration With(ConflictResolutionStrategy strategy) => SyncConfiguration.Default with
    {
        ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy> { [ResourceType.Post] = strategy },
    };

    /// <summary>The server holds post p at version 2 (title and body changed by another device); the client edits against version 1.</summary>
    private async Task<OfflineOperation> EditStalePostAsync(ConflictResolutionStrategy strategy, JsonObject patch, JsonObject? baseData = null)
    {
        _h = await EngineHarness.StartAsync(With(strategy));
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "t0", ["body"] = "b0" });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "server title", ["body"] = "b0" });
        var op = await _h.Engine.QueueOperationAsync(new OperationRequest
        {
            Type = OperationType.Update,
            ResourceType = ResourceType.Post,
            ResourceId = "p",
            Data = patch,
            BaseVersion = 1,
            BaseData = baseData,
            Priority = SyncPriority.High,
        });
        await _h.IdleAsync();
        return op;
    }

    private JsonNode ServerPost() => _h.Server.GetResource(ResourceType.Post, "p")!.Data!;

    [Test]
    public async Task Drain_ClientWins_ClientFieldsSentAgainstServerVersion()
    {
        var op = await EditStalePostAsync(ConflictResolutionStrategy.ClientWins, new JsonObject { ["title"] = "client title" });

        Assert.Multiple(async () =>
        {
            Assert.That(ServerPost()["title"]!.GetValue<string>(), Is.EqualTo("client title"));
            Assert.That(_h.Server.GetResource(ResourceType.Post, "p")!.Version, Is.EqualTo(3));
            Assert.That(await _h.Queue.GetOperationAsync(op.Id), Is.Null);
            Assert.That(_h.Conflicts.Single().Strategy, Is.EqualTo(ConflictResolutionStrategy.ClientWins));
        });
    }

    [Test]
    public async Task Drain_ServerWins_OperationDroppedServerUnchanged()
    {
        var op = await EditStalePostAsync(ConflictResolutionStrategy.ServerWins, new JsonObject { ["title"] = "client title" });

        Assert.Multiple(async () =>
        {
            Assert.That(ServerPost()["title"]!.GetValue<string>(), Is.EqualTo("server title"));
            Assert.That(_h.Server.GetResource(ResourceType.Post, "p")!.Version, Is.EqualTo(2));
            Assert.That(await _h.Queue.GetOperationAsync(op.Id), Is.Null);
            Assert.That(_h.EventsOf<ConflictDetected>(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Drain_MergeWithBaseCopy_KeepsFieldsEachSideChanged()
    {
        await EditStalePostAsync(
            ConflictResolutionStrategy.Merge,
            new JsonObject { ["body"] = "client body" },
            baseData: new JsonObject { ["title"] = "t0", ["body"] = "b0" });

        Assert.Multiple(() =>
        {
            Assert.That(ServerPost()["title"]!.GetValue<string>(), Is.EqualTo("server title"));
            Assert.That(ServerPost()["body"]!.GetValue<string>(), Is.EqualTo("client body"));
        });
    }

    [Test]
    public async Task ResolveConflictAsync_PromptUserUseClient_SyncsClientData()
    {
        var op = await EditStalePostAsync(ConflictResolutionStrategy.PromptUser, new JsonObject { ["title"] = "client title" });
        var parked = (await _h.Engine.ConflictResolver.GetPendingConflictsAsync()).Single();
        Assert.That((await _h.Queue.GetOperationAsync(op.Id))!.State, Is.EqualTo(OperationState.Conflict));

        await _h.Engine.ResolveConflictAsync(parked.Id, new ConflictResolution.UseClient());
        await _h.IdleAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(ServerPost()["title"]!.GetValue<string>(), Is.EqualTo("client title"));
            Assert.That(await _h.Queue.GetOperationAsync(op.Id), Is.Null);
            Assert.That(await _h.Engine.ConflictResolver.GetPendingConflictsAsync(), Is.Empty);
        });
    }

    [Test]
    public async Task ResolveConflictAsync_PromptUserUseServer_DropsOperation()
    {
        var op = await EditStalePostAsync(ConflictResolutionStrategy.PromptUser, new JsonObject { ["title"] = "client title" });
        var parked = (await _h.Engine.ConflictResolver.GetPendingConflictsAsync()).Single();

        await _h.Engine.ResolveConflictAsync(parked.Id, new ConflictResolution.UseServer());
        await _h.IdleAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(ServerPost()["title"]!.GetValue<string>(), Is.EqualTo("server title"));
            Assert.That(await _h.Queue.GetOperationAsync(op.Id), Is.Null);
        });
    }

    [Test]
    public async Task ResolveConflictAsync_UnknownId_ThrowsConflictNotFound()
    {
        await EditStalePostAsync(ConflictResolutionStrategy.PromptUser, new JsonObject { ["title"] = "x" });

        await Assert.ThrowsAsync<ConflictNotFoundException>(() => _h.Engine.ResolveConflictAsync(Guid.NewGuid(), new ConflictResolution.UseClient()));
    }

    [Test]
    public async Task RecurringConflict_CountKeptAcrossRestart_ParkedPastMaxConflictRetries()
    {
        var configuration = With(ConflictResolutionStrategy.ClientWins) with { MaxConflictRetries = 0 };
        _h = await EngineHarness.StartAsync(configuration);
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "t0" });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "t1" });
        var pushes = 0;
        _h.Server.SetValidator(ResourceType.Post, _ =>
        {
            // The resend that client-wins makes after the first conflict fails on the network.
            if (++pushes == 1)
            {
                _h.Server.EnqueuePushFailure(SyncErrorType.Network);
            }

            return null;
        });
        var op = await _h.Engine.QueueOperationAsync(EngineHarness.Update("p", baseVersion: 1, SyncPriority.High));
        await _h.IdleAsync();
        Assert.That((await _h.Queue.GetOperationAsync(op.Id))!.State, Is.EqualTo(OperationState.Pending), "the resend waits for its retry");

        await _h.Engine.DisposeAsync();
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "t2" });
        await _h.CreateEngineAsync(configuration);
        await _h.AdvanceToAsync(1);

        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored?.State, Is.EqualTo(OperationState.Conflict), "the second conflict, after the restart, is past MaxConflictRetries (0)");
            Assert.That(_h.Server.GetResource(ResourceType.Post, "p")!.Data!["title"]!.GetValue<string>(), Is.EqualTo("t2"));
        });
    }
}
