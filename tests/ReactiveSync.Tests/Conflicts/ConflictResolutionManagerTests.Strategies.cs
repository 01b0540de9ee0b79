using System.Text.Json.Nodes;
using ReactiveSync.Conflicts;
using ReactiveSync.Model;
using static ReactiveSync.Tests.Conflicts.ConflictScenario;

namespace ReactiveSync.Tests.Conflicts;

public partial class ConflictResolutionManagerTests
{
    // Merge.

    [Test]
    public async Task ResolveAsync_MergeDisjointChanges_KeepsBothAndSendsOnlyClientFields()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(patch: """{"title":"client"}""", strategy: ConflictResolutionStrategy.Merge);
        var result = Changed(operation, server: """{"title":"t0","body":"server body","tags":["a"]}""");

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"title":"client"} @5"""));
        Assert.That(decision.Conflict.ConflictingFields, Is.Empty);
        // The server applies the patch to its copy: both edits survive.
        var final = JsonMergePatch.Apply(result.ServerData, ((ConflictDecision.Resend)decision).Data);
        Assert.That(Show(final), Is.EqualTo("""{"title":"client","body":"server body","tags":["a"]}"""));
    }

    [Test]
    public async Task ResolveAsync_MergeBothChangedSameField_ClientValueWinsAndFieldIsListed()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(patch: """{"title":"client","tags":["a","c"]}""", strategy: ConflictResolutionStrategy.Merge);
        var result = Changed(operation, server: """{"title":"server","body":"server body","tags":["a","s"]}""");

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"title":"client","tags":["a","c"]} @5"""));
        Assert.That(decision.Conflict.ConflictingFields, Is.EqualTo(new[] { "title", "tags" }));
        Assert.That(decision.Conflict.Note, Does.Contain("title, tags"));
    }

    [Test]
    public async Task ResolveAsync_MergeBothMadeSameChange_NotListedAndNothingLeftToSend_Drops()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(patch: """{"title":"same"}""", strategy: ConflictResolutionStrategy.Merge);
        var result = Changed(operation, server: """{"title":"same","body":"server body","tags":["a"]}""");

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Drop {"title":"same","body":"server body","tags":["a"]} @5 deleted=False"""));
        Assert.That(decision.Conflict.ConflictingFields, Is.Empty);
    }

    [Test]
    public async Task ResolveAsync_MergeNestedObjects_MergesMembersAndListsDottedPath()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(
            patch: """{"meta":{"a":2,"c":1}}""",
            baseData: """{"meta":{"a":1,"b":1}}""",
            strategy: ConflictResolutionStrategy.Merge);
        var result = Changed(operation, server: """{"meta":{"a":3,"b":2}}""");

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"meta":{"a":2,"c":1}} @5"""));
        Assert.That(decision.Conflict.ConflictingFields, Is.EqualTo(new[] { "meta.a" }));
        var final = JsonMergePatch.Apply(result.ServerData, ((ConflictDecision.Resend)decision).Data);
        Assert.That(Show(final), Is.EqualTo("""{"meta":{"a":2,"b":2,"c":1}}"""));
    }

    [Test]
    public async Task ResolveAsync_MergeClientRemovedFieldServerKeptIt_RemovesIt()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(patch: """{"body":null}""", strategy: ConflictResolutionStrategy.Merge);
        var result = Changed(operation, server: """{"title":"server","body":"b0","tags":["a"]}""");

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"body":null} @5"""));
        Assert.That(decision.Conflict.ConflictingFields, Is.Empty);
    }

    [Test]
    public async Task ResolveAsync_MergeWithoutBaseCopy_FallsBackToClientWinsOnClientFieldsAndSaysSo()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(patch: """{"title":"client","tags":["z"]}""", baseData: null, strategy: ConflictResolutionStrategy.Merge);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"title":"client","tags":["z"]} @5"""));
        Assert.That(decision.Conflict.Strategy, Is.EqualTo(ConflictResolutionStrategy.Merge));
        Assert.That(decision.Conflict.ConflictingFields, Is.Empty);
        Assert.That(decision.Conflict.Note, Does.Contain("no base copy").And.Contain("ClientWins").And.Contain("title, tags"));
    }

    [Test]
    public async Task ResolveAsync_MergeCreateWithoutBase_SendsClientFieldsOverServerCopy()
    {
        using var manager = CreateManager();
        var operation = Operation(OperationType.Create, Json("""{"title":"mine"}"""), null, ConflictResolutionStrategy.Merge, null, null);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"title":"mine"} @5"""));
        Assert.That(decision.Conflict.Note, Does.Contain("no base copy"));
    }

    // Last modified wins, with the client clock corrected by the offset (server minus client).

    [Test]
    public async Task ResolveAsync_LmwClientClockHourFastButEditEarlier_ServerWins()
    {
        using var manager = CreateManager();
        // Real edit at 11:45 server time; the client's clock reads 12:45. The server changed the post at 12:00.
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.LastModifiedWins, clientTimestamp: ServerUpdatedAt.AddMinutes(45));
        var offset = TimeSpan.FromHours(-1);

        var decision = await manager.ResolveAsync(operation, Changed(operation), offset, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropServerCopy));
        Assert.That(decision.Conflict.Note, Does.Contain("the server is later"));
    }

    [Test]
    public async Task ResolveAsync_LmwClientClockHourFastWithoutCorrection_WouldHaveWon()
    {
        // The same edit as above judged by the raw client clock: the reason the offset is applied.
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.LastModifiedWins, clientTimestamp: ServerUpdatedAt.AddMinutes(45));

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
    }

    [Test]
    public async Task ResolveAsync_LmwClientClockHourFastAndEditReallyLater_ClientWins()
    {
        using var manager = CreateManager();
        // Real edit at 12:10 server time, the client's clock reads 13:10.
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.LastModifiedWins, clientTimestamp: ServerUpdatedAt.AddMinutes(70));

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.FromHours(-1), 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
        Assert.That(decision.Conflict.Note, Does.Contain("the client is later"));
    }

    [Test]
    public async Task ResolveAsync_LmwClientClockHourFastAgainstManyServerEdits_DoesNotWinThemAll()
    {
        using var manager = CreateManager();
        var offset = TimeSpan.FromHours(-1);
        var wins = 0;
        // Client edits every 10 minutes from 11:05 to 12:55 (real time); its clock reads an hour more. Server edits at 12:00.
        for (var minute = 5; minute < 120; minute += 10)
        {
            var realEdit = ServerUpdatedAt.AddMinutes(minute - 60);
            var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.LastModifiedWins, clientTimestamp: realEdit.AddHours(1));
            var decision = await manager.ResolveAsync(operation, Changed(operation), offset, 0, CancellationToken.None);
            wins += decision is ConflictDecision.Resend ? 1 : 0;
        }

        // Exactly the edits really after 12:00 win: 12:05 .. 12:55.
        Assert.That(wins, Is.EqualTo(6));
    }

    [Test]
    public async Task ResolveAsync_LmwTie_ServerWinsEveryTime()
    {
        using var manager = CreateManager();
        var offset = TimeSpan.FromMinutes(-7);
        var decisions = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.LastModifiedWins, clientTimestamp: ServerUpdatedAt - offset);
            decisions.Add(Describe(await manager.ResolveAsync(operation, Changed(operation), offset, 0, CancellationToken.None)));
        }

        Assert.That(decisions, Is.All.EqualTo(DropServerCopy));
    }

    [Test]
    public async Task ResolveAsync_LmwServerGaveNoUpdatedAt_ServerWinsAndSaysSo()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.LastModifiedWins, clientTimestamp: ServerUpdatedAt.AddDays(1));
        var result = Changed(operation) with { ServerUpdatedAt = null };

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropServerCopy));
        Assert.That(decision.Conflict.Note, Does.Contain("no updatedAt"));
    }

    // Custom resolvers.

    [Test]
    public async Task ResolveAsync_ResolverReturnsNull_ParksAndPersists()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, (_, _, _) => ValueTask.FromResult<JsonNode?>(null));
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ServerWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        Assert.That(decision.Conflict.Note, Does.Contain("returned null"));
        Assert.That(await _store.GetKeysAsync(ConflictResolutionManager.KeyPrefix), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task ResolveAsync_ResolverThrowsAsync_ParksWithErrorOnNote()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, async (_, _, _) =>
        {
            await Task.Yield();
            throw new InvalidOperationException("resolver bug 42");
        });
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ServerWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        Assert.That(decision.Conflict.Note, Does.Contain("InvalidOperationException").And.Contain("resolver bug 42"));
        Assert.That((await manager.GetPendingConflictsAsync(CancellationToken.None)).Single().Note, Does.Contain("resolver bug 42"));
    }

    [Test]
    public async Task ResolveAsync_ResolverThrowsSynchronously_ParksWithErrorOnNote()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, (_, _, _) => throw new FormatException("sync throw"));
        var operation = ConflictScenario.Delete(strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        Assert.That(decision.Conflict.Note, Does.Contain("sync throw"));
    }

    [Test]
    public async Task ResolveAsync_Resolver_GetsCopiesOfClientPatchAndServerCopy()
    {
        using var manager = CreateManager();
        string? seenClient = null, seenServer = null;
        SyncConflict? seenConflict = null;
        manager.RegisterResolver(ResourceType.Post, (client, server, conflict) =>
        {
            (seenClient, seenServer, seenConflict) = (Show(client), Show(server), conflict);
            client!["title"] = "mutated by resolver";
            server!["title"] = "mutated by resolver";
            return ValueTask.FromResult<JsonNode?>(null);
        });
        var operation = ConflictScenario.Update();

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(seenClient, Is.EqualTo(ClientPatch));
            Assert.That(seenServer, Is.EqualTo(ServerChanged));
            Assert.That(seenConflict!.Id, Is.EqualTo(decision.Conflict.Id));
            Assert.That(Show(seenConflict.BaseData), Is.EqualTo(Show(Json(Base))));
            Assert.That(Show(decision.Conflict.ClientData), Is.EqualTo(ClientPatch));
            Assert.That(Show(decision.Conflict.ServerData), Is.EqualTo(ServerChanged));
        });
    }

    [Test]
    public async Task ResolveAsync_ResolverReturnsServerCopy_Drops()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, (_, server, _) => ValueTask.FromResult(server));
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropServerCopy));
    }

    [Test]
    public async Task ResolveAsync_SeedStyleResolverSpreadingClientOverServer_SendsClientFields()
    {
        // The seed's example: { ...serverData, ...clientData }.
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, (client, server, _) => ValueTask.FromResult(JsonMergePatch.Apply(server, client)));
        var operation = ConflictScenario.Update();

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
    }

    [Test]
    public async Task RegisterResolver_SecondRegistration_ReplacesFirst()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, (_, _, _) => ValueTask.FromResult<JsonNode?>(Json("""{"v":1}""")));
        manager.RegisterResolver(ResourceType.Post, (_, _, _) => ValueTask.FromResult<JsonNode?>(Json("""{"v":2}""")));
        var operation = ConflictScenario.Update();

        var decision = await manager.ResolveAsync(operation, Deleted(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Create {"v":2} @6"""));
    }

    [Test]
    public async Task UnregisterResolver_Registered_RemovesItAndStrategyApplies()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Post, (_, _, _) => ValueTask.FromResult<JsonNode?>(null));
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ServerWins);

        Assert.That(manager.UnregisterResolver(ResourceType.Post), Is.True);
        Assert.That(manager.UnregisterResolver(ResourceType.Post), Is.False);
        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropServerCopy));
    }

    [Test]
    public async Task RegisterResolver_OtherResourceType_DoesNotApply()
    {
        using var manager = CreateManager();
        manager.RegisterResolver(ResourceType.Comment, (_, _, _) => ValueTask.FromResult<JsonNode?>(null));
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
    }

    [Test]
    public void RegisterResolver_InvalidArguments_Throw()
    {
        using var manager = CreateManager();

        Assert.Throws<ArgumentException>(() => manager.RegisterResolver(default, (_, _, _) => ValueTask.FromResult<JsonNode?>(null)));
        Assert.Throws<ArgumentNullException>(() => manager.RegisterResolver(ResourceType.Post, null!));
    }
}
