using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Conflicts;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Storage;
using ReactiveSync.Transport;

namespace ReactiveSync.DocSamples;

/// <summary>The samples of docs/conflicts.md, run against the conflict resolution manager as the sync drain calls it.</summary>
public class ConflictsSamples
{
    private static readonly DateTimeOffset Morning = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);

    private TestScheduler _scheduler = null!;

    [SetUp]
    public void SetUp()
    {
        _scheduler = new TestScheduler();
        _scheduler.AdvanceTo(Morning.UtcTicks);
    }

    [Test]
    public void Configuration_PerTypeStrategies_FallbackForOthers()
    {
        // #region configure
        var invoice = ResourceType.From("invoice");
        var configuration = SyncConfiguration.Default with
        {
            ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy>(SyncConfiguration.DefaultConflictResolution)
            {
                [ResourceType.Post] = ConflictResolutionStrategy.PromptUser,   // the seed says LastModifiedWins
                [invoice] = ConflictResolutionStrategy.ServerWins,
            },
            FallbackConflictResolution = ConflictResolutionStrategy.ServerWins, // types in no table
            MaxConflictRetries = 3,                                          // then park it for the user
        };

        // One operation can override its type's strategy:
        var edit = new OperationRequest
        {
            Type = OperationType.Update,
            ResourceType = ResourceType.Post,
            ResourceId = "post-1",
            Data = new JsonObject { ["pinned"] = true },
            ConflictResolution = ConflictResolutionStrategy.ClientWins,
        };
        // #endregion
        Assert.Multiple(() =>
        {
            Assert.That(configuration.Validate().StrategyFor(ResourceType.Post), Is.EqualTo(ConflictResolutionStrategy.PromptUser));
            Assert.That(configuration.StrategyFor(ResourceType.From("note")), Is.EqualTo(ConflictResolutionStrategy.ServerWins));
            Assert.That(edit.ConflictResolution, Is.EqualTo(ConflictResolutionStrategy.ClientWins));
        });
    }

    [Test]
    public async Task ResolveAsync_UserProfileMerge_KeepsBothSidesFields()
    {
        // #region merge
        using var manager = new ConflictResolutionManager(
            SyncConfiguration.Default, _scheduler, new InMemoryKeyValueStore(_scheduler)); // UserProfile: Merge

        // The user changed the city offline; meanwhile another device changed the name and the bio.
        var edit = Operation(
            ResourceType.UserProfile, "me",
            patch: new JsonObject { ["city"] = "Paris", ["bio"] = "Teacher in Paris" },
            baseData: new JsonObject { ["name"] = "Ana", ["city"] = "Lyon", ["bio"] = "Teacher" });
        var server = ConflictAnswer(edit, version: 7,
            serverCopy: new JsonObject { ["name"] = "Ana M.", ["city"] = "Lyon", ["bio"] = "Teacher, Lyon" });

        var decision = await manager.ResolveAsync(edit, server, serverClockOffset: TimeSpan.Zero, attempt: 0);

        // Sent again as an Update of the fields to change on the server's copy, against its version 7.
        var resend = (ConflictDecision.Resend)decision;
        Assert.That(resend.Type, Is.EqualTo(OperationType.Update));
        Assert.That(resend.BaseVersion, Is.EqualTo(7));
        Assert.That(resend.Data!.ToJsonString(), Is.EqualTo("""{"city":"Paris","bio":"Teacher in Paris"}"""));
        Assert.That(resend.Conflict.ConflictingFields, Is.EqualTo(new[] { "bio" })); // both changed it: the client's value is kept
        // #endregion
    }

    [Test]
    public async Task RegisterResolver_Tags_UnionOfBothSides()
    {
        // #region custom-resolver
        using var manager = new ConflictResolutionManager(
            SyncConfiguration.Default, _scheduler, new InMemoryKeyValueStore(_scheduler));

        // Tags of a post: keep the union of both sides' tags, everything else from the server.
        manager.RegisterResolver(ResourceType.Post, (clientData, serverData, conflict) =>
        {
            if (serverData is not JsonObject server || clientData?["tags"] is not JsonArray clientTags)
            {
                return ValueTask.FromResult<JsonNode?>(null); // not ours to decide: ask the user (parked)
            }

            var tags = (server["tags"] as JsonArray ?? []).Concat(clientTags)
                .Select(t => t!.GetValue<string>()).Distinct().Order(StringComparer.Ordinal);
            var merged = (JsonObject)server.DeepClone();
            merged["tags"] = new JsonArray([.. tags.Select(t => JsonValue.Create(t))]);
            return ValueTask.FromResult<JsonNode?>(merged);    // the whole document that should be on the server
        });
        // #endregion

        var edit = Operation(ResourceType.Post, "post-1", patch: new JsonObject { ["tags"] = new JsonArray("rx", "sync") });
        var answer = ConflictAnswer(edit, version: 3, serverCopy: new JsonObject { ["title"] = "T", ["tags"] = new JsonArray("dotnet", "rx") });
        var resend = (ConflictDecision.Resend)await manager.ResolveAsync(edit, answer, TimeSpan.Zero, attempt: 0);
        Assert.That(resend.Data!.ToJsonString(), Is.EqualTo("""{"tags":["dotnet","rx","sync"]}"""));
    }

    [Test]
    public async Task ResolveConflictAsync_ParkedPost_UserChoiceBecomesTheResend()
    {
        using var manager = new ConflictResolutionManager(
            SyncConfiguration.Default with
            {
                ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy>
                {
                    [ResourceType.Post] = ConflictResolutionStrategy.PromptUser,
                },
            },
            _scheduler,
            new InMemoryKeyValueStore(_scheduler));
        var edit = Operation(ResourceType.Post, "post-1", patch: new JsonObject { ["title"] = "Mine" });
        var answer = ConflictAnswer(edit, version: 4, serverCopy: new JsonObject { ["title"] = "Theirs", ["body"] = "..." });

        // #region prompt-user
        // The drain parks the operation (state Conflict) and the conflict is stored.
        var parked = await manager.ResolveAsync(edit, answer, TimeSpan.Zero, attempt: 0);
        Assert.That(parked, Is.InstanceOf<ConflictDecision.Park>());

        // The UI lists the pending conflicts (also as a stream: manager.PendingConflicts).
        var pending = await manager.PendingConflicts.FirstAsync().ToTask();
        var conflict = pending.Single();
        // conflict.ClientData: {"title":"Mine"}; conflict.ServerData: {"title":"Theirs","body":"..."}

        // The user merged by hand: that document goes to the server.
        var merged = new JsonObject { ["title"] = "Mine (and theirs)", ["body"] = "..." };
        var decision = await manager.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseData(merged));

        var resend = (ConflictDecision.Resend)decision;      // re-queue the parked operation with this
        Assert.That(resend.Data!.ToJsonString(), Is.EqualTo("""{"title":"Mine (and theirs)"}"""));
        Assert.That(await manager.GetPendingConflictsAsync(), Is.Empty);
        // #endregion
    }

    [Test]
    public async Task ResolveAsync_LastModifiedWins_CorrectsTheClientClockByTheServerOffset()
    {
        using var manager = new ConflictResolutionManager(SyncConfiguration.Default, _scheduler, new InMemoryKeyValueStore(_scheduler));

        // #region clock-offset
        // The device's clock is 2 minutes slow. The user edited at 09:02 real time, which the device recorded as 09:00;
        // another client's change reached the server at 09:01 (server clock).
        var edit = Operation(ResourceType.Post, "post-1", patch: new JsonObject { ["title"] = "Mine" }, editedAt: Morning);
        var answer = ConflictAnswer(edit, version: 2, serverCopy: new JsonObject { ["title"] = "Theirs" },
            updatedAt: Morning.AddMinutes(1));

        // Without the offset the server's change looks later, and wins (the operation is dropped):
        var naive = await manager.ResolveAsync(edit, answer, serverClockOffset: TimeSpan.Zero, attempt: 0);
        Assert.That(naive, Is.InstanceOf<ConflictDecision.Drop>());

        // With the offset the transport learned from the server's Date headers (server minus client), the client wins:
        var offset = TimeSpan.FromMinutes(2);  // in the engine: transport.ServerClockOffset
        var corrected = await manager.ResolveAsync(edit, answer, serverClockOffset: offset, attempt: 0);
        Assert.That(corrected, Is.InstanceOf<ConflictDecision.Resend>());
        // #endregion
    }

    /// <summary>An Update as the queue stores it (what the drain hands to the manager).</summary>
    private static OfflineOperation Operation(
        ResourceType type, string id, JsonObject patch, JsonObject? baseData = null, DateTimeOffset? editedAt = null) => new()
    {
        Id = Guid.CreateVersion7(Morning),
        Type = OperationType.Update,
        ResourceType = type,
        ResourceId = id,
        Data = patch,
        BaseData = baseData,
        BaseVersion = 1,
        CreatedAt = Morning,
        ScheduledAt = Morning,
        ClientTimestamp = editedAt ?? Morning,
    };

    /// <summary>The server's answer to it: a conflict with its current copy.</summary>
    private static PushResult ConflictAnswer(OfflineOperation operation, long version, JsonObject serverCopy, DateTimeOffset? updatedAt = null) => new()
    {
        OperationId = operation.Id,
        Status = PushStatus.Conflict,
        Version = version,
        ServerData = serverCopy,
        ServerUpdatedAt = updatedAt ?? Morning.AddMinutes(1),
    };
}

/// <summary>The engine-level sample of docs/conflicts.md: a conflict parked for the user and settled by the app.</summary>
public class SyncEngineConflictSamples
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Test]
    public async Task ResolveConflictAsync_PromptUser_SendsTheUsersDocument()
    {
        var scheduler = new SynchronizedTestScheduler(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var server = new InMemorySyncTransport(scheduler);
        using var network = new InMemoryNetworkMonitor(online: false);
        server.PutResource(ResourceType.Post, "post-1", new JsonObject { ["title"] = "First" });   // version 1
        server.PutResource(ResourceType.Post, "post-1", new JsonObject { ["title"] = "Theirs" });  // version 2, another device

        // #region engine-prompt-user
        await using var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = new InMemoryOperationStore(),
            Transport = server,
            NetworkMonitor = network,
            ClientId = "device-1",
            Scheduler = scheduler,
            KeyValueStore = new InMemoryKeyValueStore(scheduler), // SqliteKeyValueStore: parked conflicts survive restarts
            Configuration = SyncConfiguration.Default with
            {
                ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy>(SyncConfiguration.DefaultConflictResolution)
                {
                    [ResourceType.Post] = ConflictResolutionStrategy.PromptUser,
                },
            },
        });

        // The user edits post-1 as they saw it at version 1; the server is at version 2 by now.
        await engine.QueueOperationAsync(
            OperationType.Update, ResourceType.Post, "post-1", new JsonObject { ["title"] = "Mine" }, baseVersion: 1);

        var detected = engine.Events.OfType<ConflictDetected>().FirstAsync().ToTask();
        var firstSync = engine.Events.OfType<SyncCompleted>().FirstAsync().ToTask();
        network.SetOnline(true);
        var conflict = (await detected.WaitAsync(Patience)).Conflict; // parked: the operation waits in state Conflict
        await firstSync.WaitAsync(Patience);

        // Show conflict.ClientData and conflict.ServerData to the user (or list engine.PendingConflicts); they merge:
        var resent = engine.Events.OfType<SyncCompleted>().FirstAsync().ToTask();
        await engine.ResolveConflictAsync(conflict.Id, new ConflictResolution.UseData(new JsonObject { ["title"] = "Mine and theirs" }));
        await resent.WaitAsync(Patience);                              // re-queued against version 2 and synced

        Assert.That(server.GetResource(ResourceType.Post, "post-1")!.Data!["title"]!.GetValue<string>(), Is.EqualTo("Mine and theirs"));
        // #endregion
    }
}
