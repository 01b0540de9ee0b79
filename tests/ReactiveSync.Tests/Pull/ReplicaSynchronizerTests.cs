using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Pull;

public sealed class ReplicaSynchronizerTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private TestScheduler _scheduler = null!;
    private PagedTestTransport _transport = null!;
    private InMemoryReplicaStore _replica = null!;

    [SetUp]
    public void SetUp()
    {
        _scheduler = new TestScheduler();
        _scheduler.AdvanceTo(Instant.UtcTicks);
        _transport = new PagedTestTransport();
        _replica = new InMemoryReplicaStore();
    }

    [TearDown]
    public void TearDown() => _replica.Dispose();

    private ReplicaSynchronizer Create(int pageSize = 10) =>
        new(_transport, _replica, SyncConfiguration.Default with { PullPageSize = pageSize }, _scheduler);

    private void AddRows(int count, string prefix = "r")
    {
        for (var i = 0; i < count; i++)
        {
            _transport.Add($"{prefix}{i:D4}", 1, new JsonObject { ["n"] = i }, Instant);
        }
    }

    [Test]
    public async Task PullAsync_ManyPagesSharingOneTimestamp_AppliesEveryChangeOnceAndStoresCheckpoint()
    {
        AddRows(95);

        var applied = await Create(pageSize: 10).PullAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(applied, Is.EqualTo(95));
            Assert.That(_replica.Count, Is.EqualTo(95));
            Assert.That(await _replica.GetCheckpointAsync(), Is.EqualTo(95));
            Assert.That(_transport.AskedFrom, Is.EqualTo(new long?[] { null, 10, 20, 30, 40, 50, 60, 70, 80, 90 }));
        });
    }

    [Test]
    public async Task PullAsync_FailureBetweenPages_ResumesFromLastCommittedPageWithoutSkipOrDouble()
    {
        AddRows(50);
        _transport.FailOnCall = 3;
        var synchronizer = Create(pageSize: 10);

        await Assert.ThrowsAsync<SyncException>(() => synchronizer.PullAsync());
        var checkpointAfterFailure = await _replica.GetCheckpointAsync();
        var applied = await synchronizer.PullAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(checkpointAfterFailure, Is.EqualTo(20), "the two committed pages, nothing of the failed one");
            Assert.That(applied, Is.EqualTo(30), "the rest, each once");
            Assert.That(_replica.Count, Is.EqualTo(50));
            Assert.That(_transport.AskedFrom, Is.EqualTo(new long?[] { null, 10, 20, 20, 30, 40 }));
            Assert.That(await _replica.GetCheckpointAsync(), Is.EqualTo(50));
        });
    }

    [Test]
    public async Task PullAsync_NothingNew_AsksFromCheckpointAndAppliesNothing()
    {
        AddRows(3);
        var synchronizer = Create();
        await synchronizer.PullAsync();

        var applied = await synchronizer.PullAsync();

        Assert.Multiple(() =>
        {
            Assert.That(applied, Is.Zero);
            Assert.That(_transport.AskedFrom[^1], Is.EqualTo(3));
        });
    }

    [Test]
    public async Task PullAsync_EmptyPageClaimingMore_ThrowsInsteadOfLooping()
    {
        _transport.ClaimMoreWhenEmpty = true;

        var ex = await Assert.ThrowsAsync<SyncException>(() => Create().PullAsync());

        Assert.That(ex!.Error.Message, Does.Contain("sent none"));
    }

    [Test]
    public async Task PullAsync_DeletedChange_LeavesTombstoneWithVersion()
    {
        _transport.Add("a", 1, new JsonObject { ["t"] = "x" }, Instant);
        _transport.Add("a", 2, null, Instant, deleted: true);

        await Create().PullAsync();
        var row = await _replica.GetAsync(ResourceType.Post, "a");

        Assert.Multiple(() =>
        {
            Assert.That(row!.Deleted, Is.True);
            Assert.That(row.Version, Is.EqualTo(2));
            Assert.That(row.Data, Is.Null);
        });
    }

    [Test]
    public async Task RecordPushedAsync_AppliedUpdate_MergesPatchAtNewVersion()
    {
        await _replica.PutAsync(Row("p1", 3, new JsonObject { ["title"] = "old", ["body"] = "b" }));
        var op = Operation(OperationType.Update, "p1", new JsonObject { ["title"] = "new" });

        var changed = await Create().RecordPushedAsync(op, Applied(op, 4));
        var row = await _replica.GetAsync(ResourceType.Post, "p1");

        Assert.Multiple(() =>
        {
            Assert.That(changed, Is.True);
            Assert.That(row!.Version, Is.EqualTo(4));
            Assert.That(row.Data!.ToJsonString(), Is.EqualTo("""{"title":"new","body":"b"}"""));
        });
    }

    [Test]
    public async Task RecordPushedAsync_Create_StoresDataAsServerCopy()
    {
        var op = Operation(OperationType.Create, "p2", new JsonObject { ["title"] = "hello" });

        await Create().RecordPushedAsync(op, Applied(op, 1));
        var @base = await _replica.GetAsync(ResourceType.Post, "p2");

        Assert.That(@base!.Version, Is.EqualTo(1));
    }

    [Test]
    public async Task RecordPushedAsync_ReplicaAlreadyNewer_ChangesNothing()
    {
        await _replica.PutAsync(Row("p1", 7, new JsonObject { ["title"] = "pulled" }));
        var op = Operation(OperationType.Update, "p1", new JsonObject { ["title"] = "mine" });

        var changed = await Create().RecordPushedAsync(op, Applied(op, 5));

        Assert.Multiple(async () =>
        {
            Assert.That(changed, Is.False);
            Assert.That((await _replica.GetAsync(ResourceType.Post, "p1"))!.Data!["title"]!.GetValue<string>(), Is.EqualTo("pulled"));
        });
    }

    [Test]
    public async Task RecordPushedManyAsync_MixedAnswers_WritesEachAsRecordPushedWouldInOneCommit()
    {
        await _replica.PutAsync(Row("p1", 3, new JsonObject { ["title"] = "old", ["body"] = "b" }));
        await _replica.PutAsync(Row("p9", 7, new JsonObject { ["title"] = "pulled" }));
        var update = Operation(OperationType.Update, "p1", new JsonObject { ["title"] = "new" });
        var create = Operation(OperationType.Create, "p2", new JsonObject { ["title"] = "hello" });
        var stale = Operation(OperationType.Update, "p9", new JsonObject { ["title"] = "mine" });
        var conflict = Operation(OperationType.Create, "p3", new JsonObject());
        var commits = new List<IReadOnlyList<ReplicaKey>>();
        using var changes = _replica.Changed.Subscribe(commits.Add);

        var written = await Create().RecordPushedManyAsync(
        [
            (update, Applied(update, 4)),
            (create, Applied(create, 1)),
            (stale, Applied(stale, 5)),
            (conflict, new PushResult { OperationId = conflict.Id, Status = PushStatus.Conflict, Version = 9 }),
        ]);

        Assert.Multiple(async () =>
        {
            Assert.That(written, Is.EqualTo(2));
            Assert.That((await _replica.GetAsync(ResourceType.Post, "p1"))!.Data!.ToJsonString(), Is.EqualTo("""{"title":"new","body":"b"}"""));
            Assert.That((await _replica.GetAsync(ResourceType.Post, "p2"))!.Version, Is.EqualTo(1));
            Assert.That((await _replica.GetAsync(ResourceType.Post, "p9"))!.Data!["title"]!.GetValue<string>(), Is.EqualTo("pulled"));
            Assert.That(await _replica.GetAsync(ResourceType.Post, "p3"), Is.Null);
            Assert.That(commits.Select(c => c.Count), Is.EqualTo(new[] { 2 }));
        });
    }

    [Test]
    public async Task RecordPushedManyAsync_TwoOperationsOnOneResource_ThrowsNamingAnswered()
    {
        var first = Operation(OperationType.Create, "p1", new JsonObject());
        var second = Operation(OperationType.Update, "p1", new JsonObject());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Create().RecordPushedManyAsync([(first, Applied(first, 1)), (second, Applied(second, 2))]));

        Assert.That(ex!.ParamName, Is.EqualTo("answered"));
    }

    [Test]
    public async Task RecordPushedAsync_Conflict_Ignored()
    {
        var op = Operation(OperationType.Create, "p3", new JsonObject());

        var changed = await Create().RecordPushedAsync(op, new PushResult { OperationId = op.Id, Status = PushStatus.Conflict, Version = 9 });

        Assert.That(changed, Is.False);
    }

    [Test]
    public async Task RecordPushedAsync_ResultOfAnotherOperation_ThrowsNamingResult()
    {
        var op = Operation(OperationType.Create, "p3", new JsonObject());

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => Create().RecordPushedAsync(op, new PushResult { OperationId = Guid.NewGuid(), Status = PushStatus.Applied, Version = 1 }));

        Assert.That(ex!.ParamName, Is.EqualTo("result"));
    }

    [Test]
    public async Task ApplyServerCopyAsync_ServerDeleted_StoresTombstoneKeepingVersion()
    {
        await _replica.PutAsync(Row("p1", 3, new JsonObject { ["title"] = "old" }));

        var written = await Create().ApplyServerCopyAsync(ResourceType.Post, "p1", 5, null, serverDeleted: true, Instant);
        var row = await _replica.GetAsync(ResourceType.Post, "p1");

        Assert.Multiple(() =>
        {
            Assert.That(written, Is.True);
            Assert.That(row!.Deleted, Is.True);
            Assert.That(row.Version, Is.EqualTo(5));
        });
    }

    [Test]
    public async Task ApplyServerCopyAsync_NoVersion_WritesNothing()
    {
        var written = await Create().ApplyServerCopyAsync(ResourceType.Post, "p1", null, new JsonObject(), false, null);

        Assert.That(written, Is.False);
    }

    internal static ReplicaResource Row(string id, long version, JsonNode? data, ResourceType? type = null) => new()
    {
        ResourceType = type ?? ResourceType.Post,
        ResourceId = id,
        Version = version,
        Data = data,
        UpdatedAt = Instant,
    };

    private static OfflineOperation Operation(OperationType type, string id, JsonNode? data) => new()
    {
        Id = Guid.NewGuid(),
        Type = type,
        ResourceType = ResourceType.Post,
        ResourceId = id,
        Data = data,
        CreatedAt = Instant,
        ScheduledAt = Instant,
        ClientTimestamp = Instant,
    };

    private static PushResult Applied(OfflineOperation op, long version) =>
        new() { OperationId = op.Id, Status = PushStatus.Applied, Version = version, ServerUpdatedAt = Instant };
}
