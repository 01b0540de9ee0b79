using System.Reactive.Concurrency;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Conflicts;
using ReactiveSync.Model;
using ReactiveSync.Storage;
using ReactiveSync.Transport;
using static ReactiveSync.Tests.Conflicts.ConflictScenario;

namespace ReactiveSync.Tests.Conflicts;

public partial class ConflictResolutionManagerTests
{
    private const string DropServerCopy = """Drop {"title":"server","body":"server body","tags":["a"]} @5 deleted=False""";
    private const string DropDeleted = "Drop null @6 deleted=True";
    private const string Recreate = """Resend Create {"title":"client","body":"b0","tags":["a"]} @6""";
    private const string ResendPatch = """Resend Update {"title":"client"} @5""";
    private const string ResendDelete = "Resend Delete null @5";
    private const string Park = "Park";

    private const string Resolved = """{"title":"resolved","body":"b0","tags":["a"]}""";

    // strategy, operation, server side, expected decision without a custom resolver.
    private static readonly (string Strategy, OperationType Operation, bool ServerDeleted, string Expected)[] StrategyTable =
    [
        ("ClientWins", OperationType.Update, false, ResendPatch),
        ("ClientWins", OperationType.Update, true, Recreate),
        ("ClientWins", OperationType.Delete, false, ResendDelete),
        ("ClientWins", OperationType.Delete, true, DropDeleted),
        ("ServerWins", OperationType.Update, false, DropServerCopy),
        ("ServerWins", OperationType.Update, true, DropDeleted),
        ("ServerWins", OperationType.Delete, false, DropServerCopy),
        ("ServerWins", OperationType.Delete, true, DropDeleted),
        ("LastModifiedWins/client later", OperationType.Update, false, ResendPatch),
        ("LastModifiedWins/client later", OperationType.Update, true, Recreate),
        ("LastModifiedWins/client later", OperationType.Delete, false, ResendDelete),
        ("LastModifiedWins/client later", OperationType.Delete, true, DropDeleted),
        ("LastModifiedWins/server later", OperationType.Update, false, DropServerCopy),
        ("LastModifiedWins/server later", OperationType.Update, true, DropDeleted),
        ("LastModifiedWins/server later", OperationType.Delete, false, DropServerCopy),
        ("LastModifiedWins/server later", OperationType.Delete, true, DropDeleted),
        ("Merge", OperationType.Update, false, ResendPatch),
        ("Merge", OperationType.Update, true, Recreate),
        ("Merge", OperationType.Delete, false, ResendDelete),
        ("Merge", OperationType.Delete, true, DropDeleted),
        ("PromptUser", OperationType.Update, false, Park),
        ("PromptUser", OperationType.Update, true, Park),
        ("PromptUser", OperationType.Delete, false, Park),
        ("PromptUser", OperationType.Delete, true, DropDeleted),
    ];

    // With a custom resolver returning Resolved, whatever the strategy: the resolver's document replaces the server copy.
    private static readonly (OperationType Operation, bool ServerDeleted, string Expected)[] ResolverTable =
    [
        (OperationType.Update, false, """Resend Update {"title":"resolved","body":"b0"} @5"""),
        (OperationType.Update, true, """Resend Create {"title":"resolved","body":"b0","tags":["a"]} @6"""),
        (OperationType.Delete, false, """Resend Update {"title":"resolved","body":"b0"} @5"""),
        (OperationType.Delete, true, DropDeleted),
    ];

    private TestScheduler _scheduler = null!;
    private InMemoryKeyValueStore _store = null!;

    [SetUp]
    public void SetUp()
    {
        _scheduler = new TestScheduler();
        _store = new InMemoryKeyValueStore(_scheduler);
    }

    public static IEnumerable<TestCaseData> Table()
    {
        foreach (var (strategy, operation, serverDeleted, expected) in StrategyTable)
        {
            var server = serverDeleted ? "server deleted" : "server changed";
            yield return new TestCaseData(strategy, operation, serverDeleted, false, expected)
                .SetName($"ResolveAsync_{strategy}_{operation}_{server}_NoResolver_{expected.Split(' ')[0]}");
            var withResolver = ResolverTable.Single(r => r.Operation == operation && r.ServerDeleted == serverDeleted).Expected;
            yield return new TestCaseData(strategy, operation, serverDeleted, true, withResolver)
                .SetName($"ResolveAsync_{strategy}_{operation}_{server}_WithResolver_{withResolver.Split(' ')[0]}");
        }
    }

    [TestCaseSource(nameof(Table))]
    public async Task ResolveAsync_StrategyTable_GivesExactDecision(string strategyKey, OperationType type, bool serverDeleted, bool withResolver, string expected)
    {
        var strategy = Enum.Parse<ConflictResolutionStrategy>(strategyKey.Split('/')[0]);
        var clientTimestamp = strategyKey.EndsWith("client later", StringComparison.Ordinal)
            ? ServerUpdatedAt.AddMinutes(30)
            : ServerUpdatedAt.AddMinutes(-30);
        var operation = type is OperationType.Update
            ? ConflictScenario.Update(strategy: strategy, clientTimestamp: clientTimestamp)
            : ConflictScenario.Delete(strategy: strategy, clientTimestamp: clientTimestamp);
        var result = serverDeleted ? Deleted(operation) : Changed(operation);
        using var manager = CreateManager();
        var resolverCalls = 0;
        if (withResolver)
        {
            manager.RegisterResolver(ResourceType.Post, (_, _, _) =>
            {
                resolverCalls++;
                return ValueTask.FromResult<JsonNode?>(Json(Resolved));
            });
        }

        var decision = await manager.ResolveAsync(operation, result, TimeSpan.Zero, attempt: 0, CancellationToken.None);

        var pending = await manager.GetPendingConflictsAsync(CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(Describe(decision), Is.EqualTo(expected));
            Assert.That(decision.Conflict.OperationId, Is.EqualTo(operation.Id));
            Assert.That(decision.Conflict.Note, Is.Not.Null.And.Not.Empty);
            Assert.That(pending.Select(p => p.Id), decision is ConflictDecision.Park ? Is.EqualTo(new[] { decision.Conflict.Id }) : Is.Empty);
            if (withResolver)
            {
                // Both sides deleting is settled before any resolver runs.
                Assert.That(resolverCalls, Is.EqualTo(type is OperationType.Delete && serverDeleted ? 0 : 1));
                Assert.That(decision.Conflict.Strategy, Is.Null);
            }
            else if (!(type is OperationType.Delete && serverDeleted))
            {
                Assert.That(decision.Conflict.Strategy, Is.EqualTo(strategy));
            }
        });
    }

    [Test]
    public async Task ResolveAsync_NoOwnStrategy_UsesConfigurationDefaultForType()
    {
        var configuration = SyncConfiguration.Default with
        {
            ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy> { [ResourceType.Post] = ConflictResolutionStrategy.ServerWins },
        };
        using var manager = CreateManager(configuration);
        var operation = ConflictScenario.Update(strategy: null);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(DropServerCopy));
        Assert.That(decision.Conflict.Strategy, Is.EqualTo(ConflictResolutionStrategy.ServerWins));
    }

    [Test]
    public async Task ResolveAsync_OperationHasOwnStrategy_OwnStrategyBeatsConfiguration()
    {
        var configuration = SyncConfiguration.Default with
        {
            ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy> { [ResourceType.Post] = ConflictResolutionStrategy.ServerWins },
        };
        using var manager = CreateManager(configuration);
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
    }

    [Test]
    public async Task ResolveAsync_TypeMissingFromDefaults_UsesFallbackStrategy()
    {
        var configuration = SyncConfiguration.Default with { FallbackConflictResolution = ConflictResolutionStrategy.PromptUser };
        using var manager = CreateManager(configuration);
        var operation = ConflictScenario.Update(resourceType: ResourceType.From("lesson_plan"));

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
    }

    [Test]
    public async Task ResolveAsync_UploadOperation_ParksWhateverTheStrategy()
    {
        using var manager = CreateManager();
        var operation = Operation(OperationType.Upload, Json("""{"file":"x"}"""), null, ConflictResolutionStrategy.ServerWins, null, null);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        Assert.That(decision.Conflict.Note, Does.Contain("Upload"));
    }

    [Test]
    public async Task ResolveAsync_CreateAgainstExistingResource_ClientWinsSendsItsFieldsAsUpdate()
    {
        using var manager = CreateManager();
        var operation = Operation(OperationType.Create, Json("""{"title":"mine","extra":1}"""), null, ConflictResolutionStrategy.ClientWins, null, null);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Update {"title":"mine","extra":1} @5"""));
    }

    [Test]
    public async Task ResolveAsync_CreateAgainstServerDelete_ClientWinsCreatesAgain()
    {
        using var manager = CreateManager();
        var operation = Operation(OperationType.Create, Json("""{"title":"mine"}"""), null, ConflictResolutionStrategy.ClientWins, null, null);

        var decision = await manager.ResolveAsync(operation, Deleted(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Create {"title":"mine"} @6"""));
    }

    [Test]
    public async Task ResolveAsync_ClientWinsUpdateAgainstDeleteWithoutBase_RecreatesFromPatchAndSaysSo()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update(baseData: null, strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Deleted(operation), TimeSpan.Zero, 0, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo("""Resend Create {"title":"client"} @6"""));
        Assert.That(decision.Conflict.Note, Does.Contain("no base copy"));
    }

    [Test]
    public async Task ResolveAsync_ConflictCarriesBothSides()
    {
        using var manager = CreateManager();
        _scheduler.AdvanceTo(TimeSpan.FromMinutes(3).Ticks);
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.PromptUser);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None);

        var conflict = decision.Conflict;
        Assert.Multiple(() =>
        {
            Assert.That(conflict.OperationType, Is.EqualTo(OperationType.Update));
            Assert.That(conflict.ResourceType, Is.EqualTo(ResourceType.Post));
            Assert.That(conflict.ResourceId, Is.EqualTo("post-1"));
            Assert.That(Show(conflict.ClientData), Is.EqualTo(ClientPatch));
            Assert.That(Show(conflict.ServerData), Is.EqualTo(ServerChanged));
            Assert.That(Show(conflict.BaseData), Is.EqualTo(Show(Json(Base))));
            Assert.That(conflict.ServerVersion, Is.EqualTo(ChangedVersion));
            Assert.That(conflict.ServerUpdatedAt, Is.EqualTo(ServerUpdatedAt));
            Assert.That(conflict.ClientTimestamp, Is.EqualTo(operation.ClientTimestamp));
            Assert.That(conflict.ServerDeleted, Is.False);
            Assert.That(conflict.DetectedAt, Is.EqualTo(_scheduler.Now));
        });
    }

    [Test]
    public async Task ResolveAsync_ResultIsNotAConflict_ThrowsNamingIt()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update();
        var applied = Changed(operation) with { Status = PushStatus.Applied };

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => manager.ResolveAsync(operation, applied, TimeSpan.Zero, 0, CancellationToken.None));

        Assert.That(exception!.ParamName, Is.EqualTo("conflictResult"));
    }

    [Test]
    public async Task ResolveAsync_ResultForAnotherOperation_ThrowsNamingIt()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update();
        var other = Changed(operation) with { OperationId = Guid.NewGuid() };

        var exception = await Assert.ThrowsAsync<ArgumentException>(() => manager.ResolveAsync(operation, other, TimeSpan.Zero, 0, CancellationToken.None));

        Assert.That(exception!.ParamName, Is.EqualTo("conflictResult"));
    }

    [Test]
    public async Task ResolveAsync_NegativeAttempt_Throws()
    {
        using var manager = CreateManager();
        var operation = ConflictScenario.Update();

        var exception = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, -1, CancellationToken.None));

        Assert.That(exception!.ParamName, Is.EqualTo("attempt"));
    }

    [Test]
    public async Task ResolveAsync_AfterDispose_ThrowsObjectDisposed()
    {
        var manager = CreateManager();
        manager.Dispose();
        manager.Dispose();
        var operation = ConflictScenario.Update();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, 0, CancellationToken.None));
    }

    // Recurring conflicts.

    [Test]
    public async Task ResolveAsync_AttemptAtMaxConflictRetries_StillResolvedByStrategy()
    {
        using var manager = CreateManager(SyncConfiguration.Default with { MaxConflictRetries = 2 });
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, attempt: 2, CancellationToken.None);

        Assert.That(Describe(decision), Is.EqualTo(ResendPatch));
    }

    [Test]
    public async Task ResolveAsync_AttemptAboveMaxConflictRetries_ParksForTheUser()
    {
        using var manager = CreateManager(SyncConfiguration.Default with { MaxConflictRetries = 2 });
        var operation = ConflictScenario.Update(strategy: ConflictResolutionStrategy.ClientWins);

        var decision = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, attempt: 3, CancellationToken.None);

        var pending = await manager.GetPendingConflictsAsync(CancellationToken.None);
        Assert.That(decision, Is.TypeOf<ConflictDecision.Park>());
        Assert.That(decision.Conflict.Note, Does.Contain("conflicted 4 times").And.Contain("MaxConflictRetries (2)"));
        Assert.That(pending.Single().Id, Is.EqualTo(decision.Conflict.Id));
    }

    [Test]
    public async Task ResolveAsync_RecurringWithCustomResolver_ParksWithoutCallingIt()
    {
        using var manager = CreateManager(SyncConfiguration.Default with { MaxConflictRetries = 0 });
        var calls = 0;
        manager.RegisterResolver(ResourceType.Post, (_, _, _) =>
        {
            calls++;
            return ValueTask.FromResult<JsonNode?>(Json(Resolved));
        });
        var operation = ConflictScenario.Update();

        var first = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, attempt: 0, CancellationToken.None);
        var second = await manager.ResolveAsync(operation, Changed(operation), TimeSpan.Zero, attempt: 1, CancellationToken.None);

        Assert.That(first, Is.TypeOf<ConflictDecision.Resend>());
        Assert.That(second, Is.TypeOf<ConflictDecision.Park>());
        Assert.That(calls, Is.EqualTo(1));
    }

    private ConflictResolutionManager CreateManager(SyncConfiguration? configuration = null, IKeyValueStore? store = null) =>
        new(configuration ?? SyncConfiguration.Default, _scheduler, store ?? _store);

    private static string Describe(ConflictDecision decision) => decision switch
    {
        ConflictDecision.Resend r => $"Resend {r.Type} {Show(r.Data)} @{r.BaseVersion}",
        ConflictDecision.Drop d => $"Drop {Show(d.ServerData)} @{d.ServerVersion} deleted={d.ServerDeleted}",
        ConflictDecision.Park => "Park",
        _ => throw new ArgumentOutOfRangeException(nameof(decision)),
    };
}
