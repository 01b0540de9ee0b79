using System.Reactive.Linq;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Tests.Queue;

/// <summary>
/// The contract every <see cref="IOperationStore"/> must meet under an <see cref="OperationQueue"/>: run once per store
/// by a subclass that says how to make (and reopen) a store.
/// </summary>
public abstract class OperationQueueTests
{
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<OperationQueue> _open = [];

    protected TestScheduler Scheduler { get; private set; } = null!;

    /// <summary>Makes a fresh, empty store.</summary>
    protected abstract IOperationStore CreateStore();

    /// <summary>Makes a store over the same data as the last one made (a restart).</summary>
    protected abstract IOperationStore ReopenStore();

    [SetUp]
    public void SetUpScheduler()
    {
        Scheduler = new TestScheduler();
        Scheduler.AdvanceTo(Start.UtcTicks);
    }

    [TearDown]
    public async Task DisposeQueues()
    {
        foreach (var queue in _open)
        {
            await queue.DisposeAsync();
        }

        _open.Clear();
    }

    protected async Task<OperationQueue> OpenAsync(SyncConfiguration? configuration = null, IOperationStore? store = null)
    {
        var queue = await OperationQueue.OpenAsync(store ?? CreateStore(), configuration ?? SyncConfiguration.Default, Scheduler);
        _open.Add(queue);
        return queue;
    }

    protected async Task<OperationQueue> RestartAsync(OperationQueue queue, SyncConfiguration? configuration = null)
    {
        await queue.DisposeAsync();
        _open.Remove(queue);
        return await OpenAsync(configuration, ReopenStore());
    }

    protected static OperationRequest Create(string? resourceId = null, SyncPriority priority = SyncPriority.Medium, JsonNode? data = null, ResourceType? type = null) => new()
    {
        Type = OperationType.Create,
        ResourceType = type ?? ResourceType.Post,
        ResourceId = resourceId,
        Data = data ?? new JsonObject { ["title"] = "hello" },
        Priority = priority,
    };

    protected static OperationRequest Update(string resourceId, JsonNode? patch = null, SyncPriority priority = SyncPriority.Medium, long? baseVersion = null, ResourceType? type = null) => new()
    {
        Type = OperationType.Update,
        ResourceType = type ?? ResourceType.Post,
        ResourceId = resourceId,
        Data = patch ?? new JsonObject { ["title"] = "changed" },
        Priority = priority,
        BaseVersion = baseVersion,
    };

    protected static OperationRequest Delete(string resourceId, long? baseVersion = null, ResourceType? type = null) => new()
    {
        Type = OperationType.Delete,
        ResourceType = type ?? ResourceType.Post,
        ResourceId = resourceId,
        BaseVersion = baseVersion,
    };

    protected static SyncError NetworkError => SyncError.Of(SyncErrorType.Network, "unreachable");

    // ---- queueing and validation -------------------------------------------------------------

    [Test]
    public async Task QueueOperationAsync_ValidCreate_IsStoredPendingWithSequence()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        var stored = await queue.GetOperationAsync(op.Id);
        Assert.That(stored, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.Sequence, Is.GreaterThan(0));
            Assert.That(stored.ResourceId, Is.EqualTo("p1"));
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"title":"hello"}"""));
            Assert.That(stored.CreatedAt, Is.EqualTo(Start));
            Assert.That(stored.ScheduledAt, Is.EqualTo(Start));
            Assert.That(stored.MaxRetries, Is.EqualTo(SyncConfiguration.Default.MaxRetries));
            Assert.That(stored.EverSent, Is.False);
        });
    }

    [Test]
    public async Task QueueOperationAsync_CreateWithoutIds_GetsVersion7Guids()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create());
        Assert.Multiple(() =>
        {
            Assert.That(op.Id.Version, Is.EqualTo(7));
            Assert.That(Guid.Parse(op.ResourceId).Version, Is.EqualTo(7));
        });
    }

    [Test]
    public async Task QueueOperationAsync_ConcurrentCallers_AllStoredWithDistinctIncreasingSequences()
    {
        var queue = await OpenAsync();
        var ops = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => queue.QueueOperationAsync(Create($"r{i}")))));
        var stats = await queue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(ops.Select(o => o.Sequence).Distinct().Count(), Is.EqualTo(200));
            Assert.That(stats.Pending, Is.EqualTo(200));
            Assert.That(stats.Total, Is.EqualTo(200));
        });
    }


    private static readonly ResourceType Post = ResourceType.Post;

    private static IEnumerable<TestCaseData> InvalidRequests()
    {
        var data = new JsonObject { ["a"] = 1 };
        yield return new TestCaseData(new OperationRequest { Type = (OperationType)42, ResourceType = Post, ResourceId = "x", Data = data }, "Type").SetName("Reject_UndefinedType");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = default, Data = data }, "ResourceType").SetName("Reject_DefaultResourceType");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Update, ResourceType = Post, Data = data }, "ResourceId").SetName("Reject_UpdateWithoutResourceId");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Delete, ResourceType = Post }, "ResourceId").SetName("Reject_DeleteWithoutResourceId");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Upload, ResourceType = Post }, "ResourceId").SetName("Reject_UploadWithoutResourceId");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Download, ResourceType = Post }, "ResourceId").SetName("Reject_DownloadWithoutResourceId");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Update, ResourceType = Post, ResourceId = "  ", Data = data }, "ResourceId").SetName("Reject_BlankResourceId");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Update, ResourceType = Post, ResourceId = new string('r', 257), Data = data }, "ResourceId").SetName("Reject_ResourceIdTooLong");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, ResourceId = "x" }, "Data").SetName("Reject_CreateWithoutData");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Update, ResourceType = Post, ResourceId = "x" }, "Data").SetName("Reject_UpdateWithoutData");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = new JsonObject { ["big"] = new string('b', 200) } }, "Data").SetName("Reject_DataTooLarge");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = data, DependsOn = [Guid.NewGuid()] }, "DependsOn").SetName("Reject_UnknownDependency");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = data, MaxRetries = -1 }, "MaxRetries").SetName("Reject_NegativeMaxRetries");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = data, Priority = (SyncPriority)9 }, "Priority").SetName("Reject_UndefinedPriority");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = data, Id = Guid.Empty }, "Id").SetName("Reject_EmptyId");
        var self = Guid.NewGuid();
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = data, Id = self, DependsOn = [self] }, "DependsOn").SetName("Reject_DependsOnItself");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Update, ResourceType = Post, ResourceId = "x", Data = data, BaseVersion = -1 }, "BaseVersion").SetName("Reject_NegativeBaseVersion");
        yield return new TestCaseData(new OperationRequest { Type = OperationType.Create, ResourceType = Post, Data = data, ConflictResolution = (ConflictResolutionStrategy)77 }, "ConflictResolution").SetName("Reject_UndefinedStrategy");
    }

    [TestCaseSource(nameof(InvalidRequests))]
    public async Task QueueOperationAsync_InvalidRequest_ThrowsNamingFieldAndStoresNothing(OperationRequest request, string field)
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { MaxOperationDataBytes = 100 });
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => queue.QueueOperationAsync(request));
        Assert.That(ex!.ParamName, Is.EqualTo(field));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(0));
        Assert.That(await queue.GetOperationsAsync(OperationState.Pending, 0, 10), Is.Empty);
    }

    [Test]
    public async Task QueueOperationAsync_DuplicateId_ThrowsNamingIdAndKeepsTheFirst()
    {
        var queue = await OpenAsync();
        var first = await queue.QueueOperationAsync(Create("p1"));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => queue.QueueOperationAsync(Create("p2") with { Id = first.Id }));
        Assert.That(ex!.ParamName, Is.EqualTo("Id"));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(1));
        Assert.That((await queue.GetOperationAsync(first.Id))!.ResourceId, Is.EqualTo("p1"));
    }

    [Test]
    public async Task QueueOperationAsync_LimitsExactlyMet_AreAccepted()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { MaxOperationDataBytes = 9 });
        var op = await queue.QueueOperationAsync(Update(new string('r', 256), new JsonObject { ["a"] = 12 }));
        Assert.That(op.ResourceId, Has.Length.EqualTo(256));
        Assert.That(op.Data!.ToJsonString(), Is.EqualTo("""{"a":12}""").And.Length.EqualTo(8));
    }

    [Test]
    public async Task QueueOperationAsync_CallerMutatesDataAfterwards_StoredCopyUnchanged()
    {
        var queue = await OpenAsync();
        var data = new JsonObject { ["title"] = "before" };
        var op = await queue.QueueOperationAsync(Create("p1", data: data));
        data["title"] = "after";
        Assert.That((await queue.GetOperationAsync(op.Id))!.Data!["title"]!.GetValue<string>(), Is.EqualTo("before"));
    }

    [Test]
    public async Task QueueOperationsAsync_OneInvalid_ThrowsWithIndexAndStoresNothing()
    {
        var queue = await OpenAsync();
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => queue.QueueOperationsAsync([Create("a"), Create("b"), Update("")]));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo("ResourceId"));
            Assert.That(ex.Message, Does.Contain("requests[2]"));
        });
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(0));
    }

    [Test]
    public async Task QueueOperationsAsync_StoreCheckFailsLate_RollsBackEarlierRequests()
    {
        var queue = await OpenAsync();
        var existing = await queue.QueueOperationAsync(Create("p0"));
        var ex = await Assert.ThrowsAsync<ArgumentException>(() => queue.QueueOperationsAsync([Create("a"), Create("b") with { Id = existing.Id }]));
        Assert.That(ex!.ParamName, Is.EqualTo("Id"));
        Assert.That(ex.Message, Does.Contain("requests[1]"));
        var stats = await queue.GetQueueStatsAsync();
        Assert.That(stats.Total, Is.EqualTo(1));
    }

    [Test]
    public async Task QueueOperationsAsync_DependencyEarlierInSameCall_IsAccepted()
    {
        var queue = await OpenAsync();
        var postId = Guid.NewGuid();
        var ops = await queue.QueueOperationsAsync(
        [
            Create("p1") with { Id = postId },
            Create("c1", type: ResourceType.Comment) with { DependsOn = [postId] },
        ]);
        Assert.That(ops[1].DependsOn, Is.EqualTo(new[] { postId }));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(2));
    }

    [Test]
    public async Task QueueOperationsAsync_Thousand_AllStoredInOrder()
    {
        var queue = await OpenAsync();
        var ops = await queue.QueueOperationsAsync(Enumerable.Range(0, 1000).Select(i => Create($"r{i}")).ToList());
        Assert.That(ops.Select(o => o.Sequence), Is.Ordered.Ascending);
        Assert.That((await queue.GetQueueStatsAsync()).Pending, Is.EqualTo(1000));
    }

    // ---- coalescing --------------------------------------------------------------------------

    [Test]
    public async Task Coalescing_CreateThenUpdate_IsOneCreateWithPatchApplied()
    {
        var queue = await OpenAsync();
        var create = await queue.QueueOperationAsync(Create("p1", data: new JsonObject { ["title"] = "a", ["body"] = "b" }));
        var result = await queue.QueueAsync(Update("p1", new JsonObject { ["title"] = "c", ["body"] = null }));
        var stored = await queue.GetOperationAsync(create.Id);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Coalesced));
            Assert.That(result.Operation.Id, Is.EqualTo(create.Id));
            Assert.That(stored!.Type, Is.EqualTo(OperationType.Create));
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"title":"c"}"""));
            Assert.That(stored.Sequence, Is.EqualTo(create.Sequence));
        });
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(1));
    }

    [Test]
    public async Task Coalescing_UpdateThenUpdate_ComposesPatchesAndKeepsFirstBase()
    {
        var queue = await OpenAsync();
        var first = await queue.QueueOperationAsync(Update("p1", new JsonObject { ["title"] = "a", ["tags"] = new JsonObject { ["x"] = 1 } }, baseVersion: 4));
        var result = await queue.QueueAsync(Update("p1", new JsonObject { ["body"] = "b", ["tags"] = new JsonObject { ["y"] = 2 } }, SyncPriority.High, baseVersion: 5));
        var stored = await queue.GetOperationAsync(first.Id);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Coalesced));
            Assert.That(stored!.Data!.ToJsonString(), Is.EqualTo("""{"title":"a","tags":{"x":1,"y":2},"body":"b"}"""));
            Assert.That(stored.BaseVersion, Is.EqualTo(4));
            Assert.That(stored.Priority, Is.EqualTo(SyncPriority.High));
        });
    }

    [Test]
    public async Task Coalescing_CreateThenDelete_LeavesNothing()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationAsync(Create("p1"));
        var result = await queue.QueueAsync(Delete("p1"));
        Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Cancelled));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(0));
        Assert.That(await queue.TakeBatchAsync(10), Is.Empty);
    }

    [Test]
    public async Task Coalescing_UpdateThenDelete_IsDeleteWithUpdatesBaseVersion()
    {
        var queue = await OpenAsync();
        var update = await queue.QueueOperationAsync(Update("p1", baseVersion: 7));
        var result = await queue.QueueAsync(Delete("p1", baseVersion: 9));
        var stored = await queue.GetOperationAsync(update.Id);
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Coalesced));
            Assert.That(stored!.Type, Is.EqualTo(OperationType.Delete));
            Assert.That(stored.BaseVersion, Is.EqualTo(7));
            Assert.That(stored.Data, Is.Null);
        });
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(1));
    }

    [Test]
    public async Task Coalescing_EverSentOperation_IsNeverFolded()
    {
        var queue = await OpenAsync();
        var update = await queue.QueueOperationAsync(Update("p1"));
        await queue.TakeBatchAsync(1);
        await queue.ReleaseAsync([update.Id]);
        var result = await queue.QueueAsync(Update("p1", new JsonObject { ["body"] = "x" }));
        Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Added));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(2));
        Assert.That((await queue.GetOperationAsync(update.Id))!.Data!.ToJsonString(), Is.EqualTo("""{"title":"changed"}"""));
    }

    [Test]
    public async Task Coalescing_InFlightOrFailedOperation_IsNeverFolded()
    {
        var queue = await OpenAsync();
        var inFlight = await queue.QueueOperationAsync(Update("p1"));
        await queue.TakeBatchAsync(10);
        Assert.That((await queue.QueueAsync(Update("p1"))).Outcome, Is.EqualTo(QueueOutcome.Added));

        var failed = await queue.QueueOperationAsync(Update("p2"));
        await queue.FailAsync(failed.Id, SyncError.Of(SyncErrorType.Validation, "bad"));
        Assert.That((await queue.QueueAsync(Update("p2"))).Outcome, Is.EqualTo(QueueOutcome.Added));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(4));
    }

    [Test]
    public async Task Coalescing_DisabledForType_KeepsBothButOtherTypesStillFold()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Message } });
        await queue.QueueOperationAsync(Update("m1", type: ResourceType.Message));
        var message = await queue.QueueAsync(Update("m1", type: ResourceType.Message));
        await queue.QueueOperationAsync(Update("p1"));
        var post = await queue.QueueAsync(Update("p1"));
        Assert.Multiple(() =>
        {
            Assert.That(message.Outcome, Is.EqualTo(QueueOutcome.Added));
            Assert.That(post.Outcome, Is.EqualTo(QueueOutcome.Coalesced));
        });
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(3));
    }

    [Test]
    public async Task Coalescing_CreateWithDependentsThenDelete_KeepsBoth()
    {
        var queue = await OpenAsync();
        var post = await queue.QueueOperationAsync(Create("p1"));
        await queue.QueueOperationAsync(Create("c1", type: ResourceType.Comment) with { DependsOn = [post.Id] });
        var result = await queue.QueueAsync(Delete("p1"));
        Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Added));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(3));
    }

    [Test]
    public async Task Coalescing_DeleteThenCreate_IsNotFolded()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationAsync(Delete("p1"));
        var result = await queue.QueueAsync(Create("p1"));
        Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Added));
    }

    [Test]
    public async Task Coalescing_UpdateWithNewDependency_IsNotFolded()
    {
        var queue = await OpenAsync();
        var other = await queue.QueueOperationAsync(Create("x1", type: ResourceType.Community));
        await queue.QueueOperationAsync(Update("p1"));
        var result = await queue.QueueAsync(Update("p1") with { DependsOn = [other.Id] });
        Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Added));
    }

    // ---- selection ---------------------------------------------------------------------------

    [Test]
    public async Task TakeBatchAsync_SameResource_TakesOnlyTheFirstThenTheNextAfterCompletion()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post } });
        var first = await queue.QueueOperationAsync(Create("p1"));
        var second = await queue.QueueOperationAsync(Update("p1"));

        var batch1 = await queue.TakeBatchAsync(10);
        Assert.That(batch1.Select(o => o.Id), Is.EqualTo(new[] { first.Id }));
        Assert.That(batch1[0].State, Is.EqualTo(OperationState.InFlight));
        Assert.That(await queue.TakeBatchAsync(10), Is.Empty);

        await queue.CompleteAsync([first.Id]);
        var batch2 = await queue.TakeBatchAsync(10);
        Assert.That(batch2.Select(o => o.Id), Is.EqualTo(new[] { second.Id }));
    }

    [Test]
    public async Task TakeBatchAsync_MarksInFlightWithAttemptTimeAndEverSent()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);
        await queue.TakeBatchAsync(1);
        var stored = await queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.InFlight));
            Assert.That(stored.LastAttemptAt, Is.EqualTo(Start.AddSeconds(5)));
            Assert.That(stored.EverSent, Is.True);
        });
    }


    [Test]
    public async Task TakeBatchAsync_CriticalFirst_ThenWeightedShareThenFifo()
    {
        var queue = await OpenAsync();
        var low = await queue.QueueOperationAsync(Create("l", SyncPriority.Low));
        var medium = await queue.QueueOperationAsync(Create("m", SyncPriority.Medium));
        var high = await queue.QueueOperationAsync(Create("h", SyncPriority.High));
        var critical = await queue.QueueOperationAsync(Create("c", SyncPriority.Critical));
        var batch = await queue.TakeBatchAsync(4);
        Assert.That(batch.Select(o => o.Id), Is.EqualTo(new[] { critical.Id, high.Id, medium.Id, low.Id }));
    }

    [Test]
    public async Task TakeBatchAsync_EqualWeights_TiesGoToTheHigherPriorityInTurn()
    {
        var weights = new Dictionary<SyncPriority, int> { [SyncPriority.Low] = 1, [SyncPriority.Medium] = 1, [SyncPriority.High] = 1, [SyncPriority.Critical] = 1 };
        var queue = await OpenAsync(SyncConfiguration.Default with { PriorityWeights = weights });
        foreach (var priority in new[] { SyncPriority.Low, SyncPriority.Medium, SyncPriority.High })
        {
            await queue.QueueOperationsAsync(Enumerable.Range(0, 2).Select(i => Create($"{priority}{i}", priority)).ToList());
        }

        var batch = await queue.TakeBatchAsync(6);
        Assert.That(
            batch.Select(o => o.Priority),
            Is.EqualTo(new[] { SyncPriority.High, SyncPriority.Medium, SyncPriority.Low, SyncPriority.High, SyncPriority.Medium, SyncPriority.Low }));
    }

    [Test]
    public async Task TakeBatchAsync_SamePriority_FirstInFirstOut()
    {
        var queue = await OpenAsync();
        var ops = new List<OfflineOperation>();
        for (var i = 0; i < 20; i++)
        {
            ops.Add(await queue.QueueOperationAsync(Create($"r{i}", SyncPriority.High)));
        }

        var taken = (await queue.TakeBatchAsync(7)).Concat(await queue.TakeBatchAsync(13)).Select(o => o.Id);
        Assert.That(taken, Is.EqualTo(ops.Select(o => o.Id)));
    }

    [Test]
    public async Task TakeBatchAsync_FloodOfHigh_LowGetsItsWeightedShareInEveryBatch()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationsAsync(Enumerable.Range(0, 1000).Select(i => Create($"h{i}", SyncPriority.High)).ToList());
        await queue.QueueOperationsAsync(Enumerable.Range(0, 10).Select(i => Create($"l{i}", SyncPriority.Low)).ToList());

        // Weights High 4, Low 1: a fifth of each batch is Low while both have work.
        var lowPerBatch = new List<int>();
        for (var b = 0; b < 5; b++)
        {
            var batch = await queue.TakeBatchAsync(10);
            Assert.That(batch, Has.Count.EqualTo(10));
            lowPerBatch.Add(batch.Count(o => o.Priority == SyncPriority.Low));
        }

        Assert.That(lowPerBatch, Is.EqualTo(new[] { 2, 2, 2, 2, 2 }));
    }

    [Test]
    public async Task TakeBatchAsync_BatchOfOne_LowStillProgresses()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationsAsync(Enumerable.Range(0, 50).Select(i => Create($"h{i}", SyncPriority.High)).ToList());
        var low = await queue.QueueOperationAsync(Create("l", SyncPriority.Low));
        var taken = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            taken.AddRange((await queue.TakeBatchAsync(1)).Select(o => o.Id));
        }

        Assert.That(taken, Does.Contain(low.Id));
    }

    [Test]
    public async Task TakeBatchAsync_CriticalFlood_TakesAllCriticalBeforeOthers()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationAsync(Create("l", SyncPriority.Low));
        await queue.QueueOperationsAsync(Enumerable.Range(0, 15).Select(i => Create($"c{i}", SyncPriority.Critical)).ToList());
        var batch = await queue.TakeBatchAsync(10);
        Assert.That(batch.Select(o => o.Priority), Is.All.EqualTo(SyncPriority.Critical));
        var next = await queue.TakeBatchAsync(10);
        Assert.That(next.Select(o => o.Priority), Is.EqualTo(Enumerable.Repeat(SyncPriority.Critical, 5).Append(SyncPriority.Low)));
    }

    [Test]
    public async Task TakeBatchAsync_RetryNotYetDue_IsSkippedUntilSchedulerReachesIt()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(1);
        await queue.ScheduleRetryAsync(op.Id, Start.AddSeconds(30), NetworkError);
        Assert.That(await queue.TakeBatchAsync(10), Is.Empty);
        Assert.That(await queue.GetNextDueTimeAsync(), Is.EqualTo(Start.AddSeconds(30)));

        Scheduler.AdvanceBy(TimeSpan.FromSeconds(30).Ticks);
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { op.Id }));
        Assert.That(await queue.GetNextDueTimeAsync(), Is.Null);
    }

    [Test]
    public async Task TakeBatchAsync_Dependency_WaitsUntilItCompletes()
    {
        var queue = await OpenAsync();
        var post = await queue.QueueOperationAsync(Create("p1", SyncPriority.Low));
        var comment = await queue.QueueOperationAsync(Create("c1", SyncPriority.Critical, type: ResourceType.Comment) with { DependsOn = [post.Id] });
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { post.Id }));
        await queue.CompleteAsync([post.Id]);
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { comment.Id }));
    }

    [Test]
    public async Task TakeBatchAsync_FailedDependency_BlocksDependentsOnlyNotTheRest()
    {
        var queue = await OpenAsync();
        var post = await queue.QueueOperationAsync(Create("p1"));
        var comment = await queue.QueueOperationAsync(Create("c1", type: ResourceType.Comment) with { DependsOn = [post.Id] });
        var other = await queue.QueueOperationAsync(Create("p2"));
        await queue.TakeBatchAsync(1);
        await queue.FailAsync(post.Id, SyncError.Of(SyncErrorType.Validation, "bad title"));

        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { other.Id }));
        Assert.That(await queue.TakeBatchAsync(10), Is.Empty);
        Assert.That((await queue.GetOperationAsync(comment.Id))!.State, Is.EqualTo(OperationState.Pending));
    }

    [Test]
    public async Task TakeBatchAsync_FailedOperation_BlocksOnlyLaterOperationsOnItsResource()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post } });
        var poison = await queue.QueueOperationAsync(Update("x"));
        var later = await queue.QueueOperationAsync(Update("x"));
        var others = await queue.QueueOperationsAsync(Enumerable.Range(0, 5).Select(i => Update($"y{i}")).ToList());
        await queue.TakeBatchAsync(1);
        await queue.FailAsync(poison.Id, SyncError.Of(SyncErrorType.Validation, "rejected"));

        var batch = await queue.TakeBatchAsync(10);
        Assert.That(batch.Select(o => o.Id), Is.EqualTo(others.Select(o => o.Id)));
        Assert.That(batch.Select(o => o.Id), Does.Not.Contain(later.Id));

        await queue.RemoveOperationAsync(poison.Id);
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { later.Id }));
    }

    [Test]
    public async Task TakeBatchAsync_ConflictParked_BlocksLaterOnResource()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post } });
        var first = await queue.QueueOperationAsync(Update("x"));
        await queue.QueueOperationAsync(Update("x"));
        await queue.TakeBatchAsync(1);
        await queue.ParkConflictAsync(first.Id, SyncError.Of(SyncErrorType.Conflict, "server changed"));
        Assert.That(await queue.TakeBatchAsync(10), Is.Empty);
        Assert.That((await queue.GetOperationAsync(first.Id))!.State, Is.EqualTo(OperationState.Conflict));
    }

    [Test]
    public async Task TakeBatchAsync_EligibleBehindLongBlockedRun_IsFoundWithinAFewBatches()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post } });
        var poison = await queue.QueueOperationAsync(Update("x"));
        await queue.QueueOperationsAsync(Enumerable.Range(0, 3000).Select(_ => Update("x")).ToList());
        var behind = await queue.QueueOperationAsync(Update("y"));
        await queue.TakeBatchAsync(1);
        await queue.FailAsync(poison.Id, SyncError.Of(SyncErrorType.Validation, "rejected"));

        var found = false;
        for (var i = 0; i < 5 && !found; i++)
        {
            found = (await queue.TakeBatchAsync(10)).Any(o => o.Id == behind.Id);
        }

        Assert.That(found, Is.True);
    }


    // ---- state changes -----------------------------------------------------------------------

    [Test]
    public async Task ScheduleRetryAsync_CountsRetryKeepsErrorAndReschedules()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(1);
        Assert.That(await queue.ScheduleRetryAsync(op.Id, Start.AddSeconds(2), NetworkError), Is.True);
        var stored = await queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.RetryCount, Is.EqualTo(1));
            Assert.That(stored.ScheduledAt, Is.EqualTo(Start.AddSeconds(2)));
            Assert.That(stored.ErrorMessage, Is.EqualTo("unreachable"));
            Assert.That(stored.ErrorType, Is.EqualTo(SyncErrorType.Network));
        });
    }

    [Test]
    public async Task FailAsync_ThenRetryFailedOperationsAsync_PendingAgainWithRetriesReset()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(1);
        await queue.ScheduleRetryAsync(op.Id, Start, NetworkError);
        await queue.TakeBatchAsync(1);
        await queue.FailAsync(op.Id, SyncError.Of(SyncErrorType.Validation, "title required"));
        var failed = await queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(failed!.State, Is.EqualTo(OperationState.Failed));
            Assert.That(failed.ErrorMessage, Is.EqualTo("title required"));
            Assert.That(failed.ErrorType, Is.EqualTo(SyncErrorType.Validation));
        });
        Assert.That((await queue.GetQueueStatsAsync()).Failed, Is.EqualTo(1));

        Scheduler.AdvanceBy(TimeSpan.FromMinutes(1).Ticks);
        Assert.That(await queue.RetryFailedOperationsAsync(), Is.EqualTo(1));
        var retried = await queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(retried!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(retried.RetryCount, Is.EqualTo(0));
            Assert.That(retried.ScheduledAt, Is.EqualTo(Start.AddMinutes(1)));
        });
        Assert.That((await queue.TakeBatchAsync(1)).Select(o => o.Id), Is.EqualTo(new[] { op.Id }));
    }

    [Test]
    public async Task ReleaseAsync_InFlight_PendingWithoutUsingARetry()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        var pending = await queue.QueueOperationAsync(Create("p2"));
        await queue.TakeBatchAsync(1);
        Assert.That(await queue.ReleaseAsync([op.Id, pending.Id]), Is.EqualTo(1));
        var stored = await queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.RetryCount, Is.EqualTo(0));
        });
    }

    [Test]
    public async Task RequeueAsync_AfterConflict_NewDataAndTypeKeepsPlaceBeforeLaterOps()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post } });
        var first = await queue.QueueOperationAsync(Update("p1", baseVersion: 3));
        var later = await queue.QueueOperationAsync(Update("p1"));
        await queue.TakeBatchAsync(1);
        await queue.ParkConflictAsync(first.Id, SyncError.Of(SyncErrorType.Conflict, "deleted on server"));
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(10).Ticks);

        Assert.That(await queue.RequeueAsync(first.Id, new JsonObject { ["title"] = "resolved" }, null, OperationType.Create), Is.True);
        var stored = await queue.GetOperationAsync(first.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.Type, Is.EqualTo(OperationType.Create));
            Assert.That(stored.BaseVersion, Is.Null);
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"title":"resolved"}"""));
            Assert.That(stored.Sequence, Is.EqualTo(first.Sequence));
            Assert.That(stored.ScheduledAt, Is.EqualTo(Start.AddSeconds(10)));
            Assert.That(stored.ErrorMessage, Is.Null);
        });
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { first.Id }));
        await queue.CompleteAsync([first.Id]);
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { later.Id }));
    }

    [Test]
    public async Task StateChanges_OperationNoLongerStored_AnswerFalse()
    {
        var queue = await OpenAsync();
        var id = Guid.NewGuid();
        Assert.Multiple(async () =>
        {
            Assert.That(await queue.ScheduleRetryAsync(id, Start, NetworkError), Is.False);
            Assert.That(await queue.FailAsync(id, NetworkError), Is.False);
            Assert.That(await queue.ParkConflictAsync(id, NetworkError), Is.False);
            Assert.That(await queue.RequeueAsync(id, null, null, OperationType.Delete), Is.False);
            Assert.That(await queue.CompleteAsync([id]), Is.EqualTo(0));
            Assert.That(await queue.RemoveOperationAsync(id), Is.False);
        });
    }

    [Test]
    public async Task RemoveOperationAsync_Stored_RemovesItOnce()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        Assert.That(await queue.RemoveOperationAsync(op.Id), Is.True);
        Assert.That(await queue.RemoveOperationAsync(op.Id), Is.False);
        Assert.That(await queue.GetOperationAsync(op.Id), Is.Null);
    }

    [Test]
    public async Task ClearQueueAsync_RemovesEverythingAndSequencesKeepGrowing()
    {
        var queue = await OpenAsync();
        var ops = await queue.QueueOperationsAsync(Enumerable.Range(0, 5).Select(i => Create($"r{i}")).ToList());
        var changes = new List<OperationChange>();
        using var _ = queue.Changes.Subscribe(changes.Add);
        Assert.That(await queue.ClearQueueAsync(), Is.EqualTo(5));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(0));
        Assert.That(changes.Select(c => c.Kind), Is.EqualTo(new[] { OperationChangeKind.Cleared }));

        queue = await RestartAsync(queue);
        var next = await queue.QueueOperationAsync(Create("after"));
        Assert.That(next.Sequence, Is.GreaterThan(ops.Max(o => o.Sequence)));
    }

    [Test]
    public async Task CompleteAndTakeBatchAsync_TakenOperations_RemovesTheStoredOnesAsGivenAndTakesWhatTheyUnblocked()
    {
        var queue = await OpenAsync();
        var postId = Guid.NewGuid();
        await queue.QueueOperationsAsync(
        [
            Create("p1") with { Id = postId },
            Create("c1", type: ResourceType.Comment) with { DependsOn = [postId] },
        ]);
        var post = (await queue.TakeBatchAsync(5)).Single();
        var neverStored = post with { Id = Guid.NewGuid(), ResourceId = "gone" };
        var changes = new List<OperationChange>();
        using var _ = queue.Changes.Subscribe(changes.Add);

        var next = await queue.CompleteAndTakeBatchAsync([post, neverStored], 5);
        var removed = changes.Where(c => c.Kind == OperationChangeKind.Removed).Select(c => c.Operation).ToList();
        var statsBetween = await queue.GetQueueStatsAsync();
        var last = await queue.CompleteAndTakeBatchAsync(next, 5);

        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(new[] { post }), "the stored one, as given; the id never stored is ignored");
            Assert.That(next.Select(o => (o.ResourceId, o.State)), Is.EqualTo(new[] { ("c1", OperationState.InFlight) }), "the comment waited for its post");
            Assert.That(statsBetween.InFlight, Is.EqualTo(1));
            Assert.That(last, Is.Empty);
        });
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.Zero);
    }

    [Test]
    public async Task CompleteAsync_NewestOperationThenRestart_SequencesNeverGoBack()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationAsync(Create("a"));
        var newest = await queue.QueueOperationAsync(Create("b"));
        await queue.CompleteAsync([newest.Id]);

        queue = await RestartAsync(queue);
        var next = await queue.QueueOperationAsync(Create("c"));
        Assert.That(next.Sequence, Is.GreaterThan(newest.Sequence));
    }

    // ---- observables -------------------------------------------------------------------------

    [Test]
    public async Task Changes_Lifecycle_EmitsAddedUpdatedRemovedInOrder()
    {
        var queue = await OpenAsync();
        var changes = new List<OperationChange>();
        using var _ = queue.Changes.Subscribe(changes.Add);
        var op = await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(1);
        await queue.CompleteAsync([op.Id]);
        Assert.That(changes.Select(c => (c.Kind, c.Operation!.Id, c.Operation.State)), Is.EqualTo(new[]
        {
            (OperationChangeKind.Added, op.Id, OperationState.Pending),
            (OperationChangeKind.Updated, op.Id, OperationState.InFlight),
            (OperationChangeKind.Removed, op.Id, OperationState.InFlight),
        }));
    }

    [Test]
    public async Task Queued_EmitsOnlyAfterCommit()
    {
        var queue = await OpenAsync();
        var seenStored = new List<bool>();
        using var _ = queue.Queued.Subscribe(op => seenStored.Add(queue.GetOperationAsync(op.Id).Result is not null));
        await queue.QueueOperationAsync(Create("p1"));
        await queue.QueueOperationAsync(Update("p1"));
        Assert.That(seenStored, Is.EqualTo(new[] { true, true }));
    }

    [Test]
    public async Task Stats_ReplaysCurrentThenDistinctValuesAfterCommits()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationAsync(Create("p1", SyncPriority.High));
        var stats = new List<QueueStats>();
        using var _ = queue.Stats.Subscribe(stats.Add);
        Assert.That(stats.Select(s => s.Pending), Is.EqualTo(new[] { 1 }));

        await queue.TakeBatchAsync(1);
        await queue.TakeBatchAsync(1); // nothing eligible: same stats, skipped
        await queue.QueueOperationAsync(Create("p2", SyncPriority.Low, type: ResourceType.Comment));
        Assert.That(stats.Select(s => (s.Pending, s.InFlight, s.Total)), Is.EqualTo(new[] { (1, 0, 1), (0, 1, 1), (1, 1, 2) }));
    }

    [Test]
    public async Task GetQueueStatsAsync_CountsByStatePriorityTypeAndOldestAge()
    {
        var queue = await OpenAsync();
        var a = await queue.QueueOperationAsync(Create("p1", SyncPriority.High));
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(10).Ticks);
        await queue.QueueOperationAsync(Create("c1", SyncPriority.Low, type: ResourceType.Comment));
        await queue.QueueOperationAsync(Create("c2", SyncPriority.Low, type: ResourceType.Comment));
        var b = await queue.QueueOperationAsync(Create("p2", SyncPriority.Critical));
        await queue.TakeBatchAsync(1);
        await queue.FailAsync(b.Id, NetworkError);
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);

        var stats = await queue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(stats.Pending, Is.EqualTo(3));
            Assert.That(stats.Failed, Is.EqualTo(1));
            Assert.That(stats.InFlight, Is.EqualTo(0));
            Assert.That(stats.Conflict, Is.EqualTo(0));
            Assert.That(stats.Total, Is.EqualTo(4));
            Assert.That(stats.ByPriority[SyncPriority.Low], Is.EqualTo(2));
            Assert.That(stats.ByPriority[SyncPriority.Medium], Is.EqualTo(0));
            Assert.That(stats.ByPriority[SyncPriority.High], Is.EqualTo(1));
            Assert.That(stats.ByPriority[SyncPriority.Critical], Is.EqualTo(1));
            Assert.That(stats.ByResourceType[ResourceType.Post], Is.EqualTo(2));
            Assert.That(stats.ByResourceType[ResourceType.Comment], Is.EqualTo(2));
            Assert.That(stats.OldestPendingAge, Is.EqualTo(TimeSpan.FromSeconds(15)));
        });
        Assert.That(a.Id, Is.Not.EqualTo(b.Id));
    }

    [Test]
    public async Task GetQueueStatsAsync_AfterRestart_CountsLoadedFromStore()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationsAsync(Enumerable.Range(0, 7).Select(i => Create($"r{i}", (SyncPriority)(i % 4))).ToList());
        var failed = await queue.TakeBatchAsync(2);
        await queue.FailAsync(failed[0].Id, NetworkError);
        var before = await queue.GetQueueStatsAsync();

        queue = await RestartAsync(queue);
        var after = await queue.GetQueueStatsAsync();
        Assert.That(after, Is.EqualTo(before with { Pending = before.Pending + before.InFlight, InFlight = 0 }));
    }

    [Test]
    public async Task GetOperationsAsync_Paged_ReturnsPagesInQueueOrder()
    {
        var queue = await OpenAsync();
        var ops = await queue.QueueOperationsAsync(Enumerable.Range(0, 25).Select(i => Create($"r{i}")).ToList());
        var page = await queue.GetOperationsAsync(OperationState.Pending, 10, 10);
        Assert.That(page.Select(o => o.Id), Is.EqualTo(ops.Skip(10).Take(10).Select(o => o.Id)));
        Assert.That(await queue.GetOperationsAsync(OperationState.Pending, 20, 10), Has.Count.EqualTo(5));
        Assert.That(await queue.GetOperationsAsync(OperationState.Failed, 0, 10), Is.Empty);
    }

    // ---- group commit ------------------------------------------------------------------------

    [Test]
    public async Task QueueOperationAsync_GroupCommitFails_EveryCallerInGroupGetsErrorAndNothingStored()
    {
        var store = new FaultyOperationStore(CreateStore());
        var queue = await OpenAsync(store: store);
        var emitted = new List<OfflineOperation>();
        using var _ = queue.Queued.Subscribe(emitted.Add);

        var failAt = store.Writes + 2; // the write after the one that takes "first"
        store.Hold();
        var first = queue.QueueOperationAsync(Create("first"));
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var group = Enumerable.Range(0, 5).Select(i => queue.QueueOperationAsync(Create($"g{i}"))).ToList();
        store.FailCommit = n => n == failAt;
        store.Release();

        var stored = await first;
        foreach (var task in group)
        {
            var ex = await Assert.ThrowsAsync<IOException>(() => task);
            Assert.That(ex!.Message, Does.Contain($"Injected commit failure of write {failAt}"));
        }

        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(1));
        Assert.That(emitted.Select(o => o.Id), Is.EqualTo(new[] { stored.Id }));
        Assert.That(await queue.GetOperationsAsync(OperationState.Pending, 0, 10), Has.Count.EqualTo(1));

        // The queue keeps working after a failed commit.
        await queue.QueueOperationAsync(Create("later"));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(2));
    }

    [Test]
    public async Task QueueOperationAsync_OneInvalidInGroup_OnlyThatCallerFails()
    {
        var store = new FaultyOperationStore(CreateStore());
        var queue = await OpenAsync(store: store);
        store.Hold();
        var blocker = queue.QueueOperationAsync(Create("blocker"));
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var good1 = queue.QueueOperationAsync(Create("a"));
        var bad = queue.QueueOperationAsync(Create("b") with { DependsOn = [Guid.NewGuid()] });
        var good2 = queue.QueueOperationAsync(Create("c"));
        store.Release();

        await blocker;
        await good1;
        await good2;
        Assert.That((await Assert.ThrowsAsync<ArgumentException>(() => bad))!.ParamName, Is.EqualTo("DependsOn"));
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(3));
    }

    [Test]
    public async Task QueueOperationAsync_CancelledBeforeCommit_IsNotStored()
    {
        var store = new FaultyOperationStore(CreateStore());
        var queue = await OpenAsync(store: store);
        store.Hold();
        var blocker = queue.QueueOperationAsync(Create("blocker"));
        await store.WriteWaiting.Task.WaitAsync(TimeSpan.FromSeconds(10));
        using var cts = new CancellationTokenSource();
        var cancelled = queue.QueueOperationAsync(Create("x"), cts.Token);
        cts.Cancel();
        store.Release();
        await blocker;
        Assert.That(() => cancelled, Throws.InstanceOf<OperationCanceledException>());
        Assert.That((await queue.GetQueueStatsAsync()).Total, Is.EqualTo(1));
    }

    // ---- recovery ----------------------------------------------------------------------------

    [Test]
    public async Task OpenAsync_OperationsLeftInFlight_BecomePendingAgain()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(10);

        queue = await RestartAsync(queue);
        var stored = await queue.GetOperationAsync(op.Id);
        var stats = await queue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.EverSent, Is.True);
            Assert.That(stats.Pending, Is.EqualTo(1));
            Assert.That(stats.InFlight, Is.EqualTo(0));
        });
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { op.Id }));
    }
}
