using System.Reactive.Linq;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Conflicts;
using ReactiveSync.Model;
using static ReactiveSync.Tests.Conflicts.ConflictScenario;

namespace ReactiveSync.Tests.Conflicts;

public partial class ConflictResolutionManagerTests
{
    // Parked conflicts and their persistence.

    [Test]
    public async Task GetPendingConflictsAsync_NewManagerOverSameStore_SeesParkedConflict()
    {
        ConflictDecision parked;
        using (var first = CreateManager())
        {
            var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
            parked = await first.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);
        }

        using var second = CreateManager();
        var pending = await second.GetPendingConflictsAsync(CancellationToken.None);

        var restored = pending.Single();
        var original = parked.Conflict;
        Assert.Multiple(() =>
        {
            Assert.That(restored.Id, Is.EqualTo(original.Id));
            Assert.That(restored.OperationId, Is.EqualTo(original.OperationId));
            Assert.That(restored.OperationType, Is.EqualTo(OperationType.Update));
            Assert.That(restored.ResourceType, Is.EqualTo(ResourceType.Post));
            Assert.That(restored.ResourceId, Is.EqualTo(original.ResourceId));
            Assert.That(Show(restored.ClientData), Is.EqualTo(Show(original.ClientData)));
            Assert.That(Show(restored.ServerData), Is.EqualTo(Show(original.ServerData)));
            Assert.That(Show(restored.BaseData), Is.EqualTo(Show(original.BaseData)));
            Assert.That(restored.ServerVersion, Is.EqualTo(original.ServerVersion));
            Assert.That(restored.ServerUpdatedAt, Is.EqualTo(original.ServerUpdatedAt));
            Assert.That(restored.ClientTimestamp, Is.EqualTo(original.ClientTimestamp));
            Assert.That(restored.DetectedAt, Is.EqualTo(original.DetectedAt));
            Assert.That(restored.Strategy, Is.EqualTo(ConflictResolutionStrategy.PromptUser));
            Assert.That(restored.Note, Is.EqualTo(original.Note));
        });
    }

    [Test]
    public async Task ResolveConflictAsync_OnNewManagerAfterRestart_ResolvesAndRemovesFromStore()
    {
        Guid conflictId;
        using (var first = CreateManager())
        {
            var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
            conflictId = (await first.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None)).Conflict.Id;
        }

        using var second = CreateManager();
        var decision = await second.ResolveConflictAsync(conflictId, new ConflictResolution.UseClient(), CancellationToken.None);

        using var third = CreateManager();
        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
        Assert.That(await second.GetPendingConflictsAsync(CancellationToken.None), Is.Empty);
        Assert.That(await third.GetPendingConflictsAsync(CancellationToken.None), Is.Empty);
        Assert.That(await _store.GetKeysAsync(ConflictResolutionManager.KeyPrefix), Is.Empty);
    }

    [Test]
    public async Task ResolveAsync_Parked_StoresReadableJsonUnderConflictKey()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: false);

        var json = await _store.GetAsync(ConflictResolutionManager.KeyPrefix + conflict.Id);

        Assert.That(json, Does.Contain("\"Strategy\":\"PromptUser\"").And.Contain("\"OperationType\":\"Update\"").And.Contain("\"ResourceType\":\"post\""));
    }

    [Test]
    public async Task ResolveAsync_SameOperationParkedAgain_ReplacesOlderConflict()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);

        await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);
        var newer = await manager.ResolveAsync(operation, Deleted(operation), TimeSpan.Zero, 1, CancellationToken.None);

        var pending = await manager.GetPendingConflictsAsync(CancellationToken.None);
        Assert.That(pending.Select(p => p.Id), Is.EqualTo(new[] { newer.Conflict.Id }));
        Assert.That(await _store.GetKeysAsync(ConflictResolutionManager.KeyPrefix), Is.EqualTo(new[] { ConflictResolutionManager.KeyPrefix + newer.Conflict.Id }));
    }

    [Test]
    public async Task GetPendingConflictsAsync_UnreadableStoredEntry_SkipsItAndKeepsOthers()
    {
        using (var first = CreateManager())
        {
            var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
            await first.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);
        }

        await _store.SetAsync(ConflictResolutionManager.KeyPrefix + "broken", "{not json");
        using var second = CreateManager();

        Assert.That(await second.GetPendingConflictsAsync(CancellationToken.None), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task GetPendingConflictsAsync_SeveralParked_OldestFirst()
    {
        using var manager = CreateManager();
        var ids = new List<Guid>();
        foreach (var seconds in new[] { 1, 2, 3 })
        {
            _scheduler.AdvanceTo(TimeSpan.FromSeconds(seconds).Ticks);
            var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
            ids.Add((await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None)).Conflict.Id);
        }

        using var restarted = CreateManager();
        var pending = await restarted.GetPendingConflictsAsync(CancellationToken.None);

        Assert.That(pending.Select(p => p.Id), Is.EqualTo(ids));
        Assert.That(pending.Select(p => p.DetectedAt), Is.Ordered);
    }

    // Resolving a parked conflict.

    [Test]
    public async Task ResolveConflictAsync_UseClient_ResendsClientPatchAgainstServerVersion()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: false);

        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseClient(), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
        Assert.That(decision.Conflict.Id, Is.EqualTo(conflict.Id));
        Assert.That(decision.Conflict.Strategy, Is.EqualTo(ConflictResolutionStrategy.PromptUser));
        Assert.That(decision.Conflict.Note, Does.Contain("Resolved by the app"));
        Assert.That(await manager.GetPendingConflictsAsync(CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task ResolveConflictAsync_UseClientAgainstServerDelete_Recreates()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: true);

        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseClient(), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(Recreate));
    }

    [Test]
    public async Task ResolveConflictAsync_UseClientOnDelete_DeletesAgain()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Delete(strategy: ConflictResolutionStrategy.PromptUser);
        var parked = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        var decision = await manager.ResolveConflictAsync(parked.Conflict.Id, new ConflictResolution.UseClient(), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendDelete));
    }

    [Test]
    public async Task ResolveConflictAsync_UseClientOnParkedUpload_ResendsUploadAsItWas()
    {
        using var manager = CreateManager();
        var operation = Operation(OperationType.Upload, Json("""{"file":"x"}"""), null, null, null, null);
        var parked = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        var decision = await manager.ResolveConflictAsync(parked.Conflict.Id, new ConflictResolution.UseClient(), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Upload {"file":"x"} @5"""));
    }

    [Test]
    public async Task ResolveConflictAsync_UseServer_DropsWithServerCopy()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: false);

        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseServer(), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropServerCopy));
    }

    [Test]
    public async Task ResolveConflictAsync_UseServerAgainstServerDelete_DropsAsDeleted()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: true);

        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseServer(), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropDeleted));
    }

    [Test]
    public async Task ResolveConflictAsync_UseData_SendsPatchFromServerCopyToData()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: false);
        var chosen = Json("""{"title":"by hand","body":"server body"}""");

        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseData(chosen), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"tags":null,"title":"by hand"} @5"""));
        var final = JsonMergePatch.Apply(conflict.ServerData, ((ConflictDecision.Resend)decision).Data);
        Assert.That(JsonNode.DeepEquals(final, chosen), Is.True, Show(final));
    }

    [Test]
    public async Task ResolveConflictAsync_UseDataAgainstServerDelete_CreatesWithData()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: true);

        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseData(Json("""{"title":"by hand"}""")), CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Create {"title":"by hand"} @6"""));
    }

    [Test]
    public async Task ResolveConflictAsync_UnknownId_ThrowsConflictNotFound()
    {
        using var manager = CreateManager();
        var unknown = Guid.NewGuid();

        var exception = await Assert.ThrowsAsync<ConflictNotFoundException>(() => manager.ResolveConflictAsync(unknown, new ConflictResolution.UseServer(), CancellationToken.None));

        Assert.That(exception!.ConflictId, Is.EqualTo(unknown));
        Assert.That(await manager.GetPendingConflictsAsync(CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task ResolveConflictAsync_ResolvedTwice_SecondThrowsConflictNotFound()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: false);
        await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseServer(), CancellationToken.None);

        await Assert.ThrowsAsync<ConflictNotFoundException>(() => manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseServer(), CancellationToken.None));
    }

    [Test]
    public void ConflictResolutionUseData_NullData_Throws()
    {
        Assert.Throws<ArgumentNullException>(() => _ = new ConflictResolution.UseData(null!));
    }

    // Streams.

    [Test]
    public async Task Conflicts_EveryDetectedConflict_EmittedAtSchedulerTimeBeforeDecision()
    {
        using var manager = CreateManager();
        var conflicts = _scheduler.CreateObserver<SyncConflict>();
        var decisions = _scheduler.CreateObserver<ConflictDecision>();
        using var s1 = manager.Conflicts.Subscribe(conflicts);
        using var s2 = manager.Decisions.Subscribe(decisions);

        _scheduler.AdvanceTo(100);
        var first = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ClientWins);
        var firstDecision = await manager.ResolveAsync(first, Changed(first), TimeSpan.Zero, 0, CancellationToken.None);
        _scheduler.AdvanceTo(250);
        var second = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
        var secondDecision = await manager.ResolveAsync(second, Changed(second), TimeSpan.Zero, 0, CancellationToken.None);
        _scheduler.AdvanceTo(400);
        var byUser = await manager.ResolveConflictAsync(secondDecision.Conflict.Id, new ConflictResolution.UseServer(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(conflicts.Messages.Select(m => (m.Time, m.Value.Value.OperationId)), Is.EqualTo(new[] { (100L, first.Id), (250L, second.Id) }));
            Assert.That(conflicts.Messages.Select(m => m.Value.Value.DetectedAt.Ticks), Is.EqualTo(new[] { 100L, 250L }));
            Assert.That(conflicts.Messages.Select(m => m.Value.Value.Strategy), Is.EqualTo(new ConflictResolutionStrategy?[] { ConflictResolutionStrategy.ClientWins, ConflictResolutionStrategy.PromptUser }));
            Assert.That(conflicts.Messages.Select(m => m.Value.Value.Note), Is.All.Null);
            Assert.That(decisions.Messages.Select(m => m.Time), Is.EqualTo(new[] { 100L, 250L, 400L }));
            Assert.That(decisions.Messages.Select(m => m.Value.Value), Is.EqualTo(new[] { firstDecision, secondDecision, byUser }));
            Assert.That(decisions.Messages.Select(m => m.Value.Value.GetType().Name), Is.EqualTo(new[] { "Resend", "Park", "Drop" }));
            Assert.That(decisions.Messages.Select(m => m.Value.Value.Conflict.Id), Is.EqualTo(new[] { firstDecision.Conflict.Id, secondDecision.Conflict.Id, secondDecision.Conflict.Id }));
        });
    }

    [Test]
    public async Task PendingConflicts_Subscribe_ReplaysCurrentListThenEveryChange()
    {
        using var manager = CreateManager();
        var conflict = await ParkUpdateAsync(manager, serverDeleted: false);
        var lists = new List<IReadOnlyList<Guid>>();

        using var subscription = manager.PendingConflicts.Subscribe(list => lists.Add(list.Select(c => c.Id).ToList()));
        _scheduler.AdvanceTo(TimeSpan.FromSeconds(1).Ticks);
        var operation = ConflictScenario.Delete(strategy: ConflictResolutionStrategy.PromptUser);
        var second = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);
        await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseServer(), CancellationToken.None);
        await manager.ResolveConflictAsync(second.Conflict.Id, new ConflictResolution.UseClient(), CancellationToken.None);

        Assert.That(lists, Is.EqualTo(new[]
        {
            new[] { conflict.Id },
            new[] { conflict.Id, second.Conflict.Id },
            new[] { second.Conflict.Id },
            Array.Empty<Guid>(),
        }));
    }

    [Test]
    public async Task PendingConflicts_FreshManagerOverStoreWithParked_ReplaysStoredList()
    {
        Guid id;
        using (var first = CreateManager())
        {
            id = (await ParkUpdateAsync(first, serverDeleted: false)).Id;
        }

        using var second = CreateManager();
        var initial = await second.PendingConflicts.FirstAsync();

        Assert.That(initial.Select(c => c.Id), Is.EqualTo(new[] { id }));
    }

    [Test]
    public async Task Dispose_CompletesStreams()
    {
        var manager = CreateManager();
        var pendingCompleted = false;
        var conflictsCompleted = false;
        var decisionsCompleted = false;
        await manager.GetPendingConflictsAsync(CancellationToken.None);
        using var s1 = manager.PendingConflicts.Subscribe(_ => { }, () => pendingCompleted = true);
        using var s2 = manager.Conflicts.Subscribe(_ => { }, () => conflictsCompleted = true);
        using var s3 = manager.Decisions.Subscribe(_ => { }, () => decisionsCompleted = true);

        manager.Dispose();

        Assert.That((pendingCompleted, conflictsCompleted, decisionsCompleted), Is.EqualTo((true, true, true)));
    }

    private static async Task<SyncConflict> ParkUpdateAsync(ConflictResolutionManager manager, bool serverDeleted)
    {
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);
        var result = serverDeleted ? Deleted(operation) : Changed(operation);
        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);
        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        return decision.Conflict;
    }
}
