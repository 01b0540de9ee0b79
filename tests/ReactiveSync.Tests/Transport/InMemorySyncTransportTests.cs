using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Transport;

public class InMemorySyncTransportTests
{
    private const string Client = "device-1";
    private static readonly DateTimeOffset Epoch = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);

    private TestScheduler _scheduler = null!;
    private InMemorySyncTransport _server = null!;

    [SetUp]
    public void SetUp()
    {
        _scheduler = new TestScheduler();
        _scheduler.AdvanceTo(Epoch.UtcTicks);
        _server = new InMemorySyncTransport(_scheduler);
    }

    private static OfflineOperation Op(OperationType type, string id, JsonNode? data = null, long? baseVersion = null, Guid? opId = null) => new()
    {
        Id = opId ?? Guid.NewGuid(),
        Type = type,
        ResourceType = ResourceType.Post,
        ResourceId = id,
        Data = data,
        BaseVersion = baseVersion,
        CreatedAt = Epoch,
        ScheduledAt = Epoch,
        ClientTimestamp = Epoch,
    };

    private async Task<PushResult> PushOne(OfflineOperation op, string client = Client) =>
        (await _server.PushAsync(client, [op], CancellationToken.None))[0];

    [Test]
    public async Task PushAsync_Create_StoresVersionOneWithServerTime()
    {
        _server.ServerClockOffset = TimeSpan.FromMinutes(3);
        var result = await PushOne(Op(OperationType.Create, "p1", new JsonObject { ["title"] = "a" }));

        var stored = _server.GetResource(ResourceType.Post, "p1")!;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(PushStatus.Applied));
            Assert.That(result.Version, Is.EqualTo(1));
            Assert.That(result.ServerUpdatedAt, Is.EqualTo(Epoch + TimeSpan.FromMinutes(3)));
            Assert.That(stored.Data!["title"]!.GetValue<string>(), Is.EqualTo("a"));
            Assert.That(stored.UpdatedAt, Is.EqualTo(Epoch + TimeSpan.FromMinutes(3)));
            Assert.That(_server.OperationsApplied, Is.EqualTo(1));
            Assert.That(_server.PushCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PushAsync_CreateOfExisting_AnswersConflictWithServerCopy()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["title"] = "server" });
        var result = await PushOne(Op(OperationType.Create, "p1", new JsonObject { ["title"] = "client" }));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(PushStatus.Conflict));
            Assert.That(result.Version, Is.EqualTo(1));
            Assert.That(result.ServerData!["title"]!.GetValue<string>(), Is.EqualTo("server"));
            Assert.That(result.ServerDeleted, Is.False);
        });
    }

    [Test]
    public async Task PushAsync_CreateOfDeleted_RecreatesAtDeletedVersionPlusOne()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        _server.DeleteResource(ResourceType.Post, "p1");
        var result = await PushOne(Op(OperationType.Create, "p1", new JsonObject { ["x"] = 1 }));
        Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 3L)));
    }

    [Test]
    public async Task PushAsync_UpdateAtCurrentVersion_AppliesMergePatch()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["title"] = "a", ["body"] = "b", ["tags"] = new JsonArray(1) });
        var result = await PushOne(Op(OperationType.Update, "p1", new JsonObject { ["title"] = "A", ["tags"] = null }, baseVersion: 1));

        var data = _server.GetResource(ResourceType.Post, "p1")!.Data!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 2L)));
            Assert.That(data["title"]!.GetValue<string>(), Is.EqualTo("A"));
            Assert.That(data["body"]!.GetValue<string>(), Is.EqualTo("b"));
            Assert.That(data.ContainsKey("tags"), Is.False);
        });
    }

    [Test]
    public async Task PushAsync_UpdateAtStaleVersion_AnswersConflictAndChangesNothing()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["title"] = "a" });
        _scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["title"] = "b" });

        var result = await PushOne(Op(OperationType.Update, "p1", new JsonObject { ["title"] = "c" }, baseVersion: 1));
        var stored = _server.GetResource(ResourceType.Post, "p1")!;
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(PushStatus.Conflict));
            Assert.That(result.Version, Is.EqualTo(2));
            Assert.That(result.ServerData!["title"]!.GetValue<string>(), Is.EqualTo("b"));
            Assert.That(result.ServerUpdatedAt, Is.EqualTo(Epoch + TimeSpan.FromSeconds(5)));
            Assert.That(stored.Version, Is.EqualTo(2));
            Assert.That(stored.Data!["title"]!.GetValue<string>(), Is.EqualTo("b"));
        });
    }

    [Test]
    public async Task PushAsync_BlindUpdate_AppliesWithoutVersionCheck()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["title"] = "a" });
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["title"] = "b" });
        var result = await PushOne(Op(OperationType.Update, "p1", new JsonObject { ["title"] = "c" }));
        Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 3L)));
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task PushAsync_UpdateOfDeletedOrMissing_AnswersConflictServerDeleted(bool existedBefore)
    {
        if (existedBefore)
        {
            _server.PutResource(ResourceType.Post, "p1", new JsonObject());
            _server.DeleteResource(ResourceType.Post, "p1");
        }

        var result = await PushOne(Op(OperationType.Update, "p1", new JsonObject { ["t"] = 1 }));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(PushStatus.Conflict));
            Assert.That(result.ServerDeleted, Is.True);
            Assert.That(result.ServerData, Is.Null);
            Assert.That(result.Version, Is.EqualTo(existedBefore ? 2L : null));
        });
    }

    [Test]
    public async Task PushAsync_Delete_SoftDeletesAndBumpsVersion()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["t"] = 1 });
        var result = await PushOne(Op(OperationType.Delete, "p1", baseVersion: 1));
        var stored = _server.GetResource(ResourceType.Post, "p1")!;
        Assert.Multiple(() =>
        {
            Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 2L)));
            Assert.That(stored.Deleted, Is.True);
            Assert.That(stored.Data, Is.Null);
        });
    }

    [Test]
    public async Task PushAsync_DeleteAtStaleVersion_AnswersConflict()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        var result = await PushOne(Op(OperationType.Delete, "p1", baseVersion: 1));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(PushStatus.Conflict));
            Assert.That(_server.GetResource(ResourceType.Post, "p1")!.Deleted, Is.False);
        });
    }

    [Test]
    public async Task PushAsync_DeleteOfDeleted_AppliedWithCurrentVersionAndNoChange()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        _server.DeleteResource(ResourceType.Post, "p1");
        var sequence = _server.CurrentSequence;

        var result = await PushOne(Op(OperationType.Delete, "p1", baseVersion: 1));
        var missing = await PushOne(Op(OperationType.Delete, "never"));
        Assert.Multiple(() =>
        {
            Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 2L)));
            Assert.That((missing.Status, missing.Version), Is.EqualTo((PushStatus.Applied, (long?)null)));
            Assert.That(_server.CurrentSequence, Is.EqualTo(sequence));
            Assert.That(_server.OperationsApplied, Is.EqualTo(0));
        });
    }

    [Test]
    public async Task PushAsync_Upload_MergesMetadataWithoutVersionCheck()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["name"] = "a" });
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["name"] = "b" });
        var result = await PushOne(Op(OperationType.Upload, "p1", new JsonObject { ["size"] = 3 }, baseVersion: 1));
        var data = _server.GetResource(ResourceType.Post, "p1")!.Data!;
        Assert.Multiple(() =>
        {
            Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 3L)));
            Assert.That(data["name"]!.GetValue<string>(), Is.EqualTo("b"));
            Assert.That(data["size"]!.GetValue<int>(), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task PushAsync_Download_AppliedWithCurrentVersionAndNoChange()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        var result = await PushOne(Op(OperationType.Download, "p1"));
        Assert.Multiple(() =>
        {
            Assert.That((result.Status, result.Version), Is.EqualTo((PushStatus.Applied, 1L)));
            Assert.That(_server.CurrentSequence, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PushAsync_ReplayedId_AnswersDuplicateWithFirstAnswerAndChangesNothing()
    {
        var create = Op(OperationType.Create, "p1", new JsonObject { ["t"] = 1 });
        var first = await PushOne(create);
        _scheduler.AdvanceBy(TimeSpan.FromMinutes(1).Ticks);
        _server.PutResource(ResourceType.Post, "p1", new JsonObject { ["t"] = 2 });

        var replay = await PushOne(create);
        var stored = _server.GetResource(ResourceType.Post, "p1")!;
        Assert.Multiple(() =>
        {
            Assert.That(replay.Status, Is.EqualTo(PushStatus.Duplicate));
            Assert.That(replay.Version, Is.EqualTo(first.Version));
            Assert.That(replay.ServerUpdatedAt, Is.EqualTo(first.ServerUpdatedAt));
            Assert.That(stored.Version, Is.EqualTo(2));
            Assert.That(_server.OperationsApplied, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PushAsync_SameOperationIdFromAnotherClient_IsAppliedSeparately()
    {
        var update = Op(OperationType.Update, "p1", new JsonObject { ["n"] = 1 });
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        await PushOne(update, "device-1");
        var other = await PushOne(update, "device-2");
        Assert.That((other.Status, other.Version), Is.EqualTo((PushStatus.Applied, 3L)));
    }

    [Test]
    public async Task PushAsync_ConflictedIdSentAgainAfterResolution_IsAppliedNotDuplicate()
    {
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        _server.PutResource(ResourceType.Post, "p1", new JsonObject());
        var id = Guid.NewGuid();
        var conflict = await PushOne(Op(OperationType.Update, "p1", new JsonObject { ["a"] = 1 }, baseVersion: 1, opId: id));
        var resent = await PushOne(Op(OperationType.Update, "p1", new JsonObject { ["a"] = 1 }, baseVersion: conflict.Version, opId: id));
        Assert.Multiple(() =>
        {
            Assert.That(conflict.Status, Is.EqualTo(PushStatus.Conflict));
            Assert.That((resent.Status, resent.Version), Is.EqualTo((PushStatus.Applied, 3L)));
        });
    }

    [Test]
    public async Task PushAsync_ValidatorRejects_OperationRejectedRestOfBatchProcessed()
    {
        _server.SetValidator(ResourceType.Post, op => op.Data?["title"] is null ? "title is required" : null);
        var bad = Op(OperationType.Create, "p1", new JsonObject());
        var good = Op(OperationType.Create, "p2", new JsonObject { ["title"] = "ok" });

        var results = await _server.PushAsync(Client, [bad, good], CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.OperationId), Is.EqualTo(new[] { bad.Id, good.Id }));
            Assert.That(results[0].Status, Is.EqualTo(PushStatus.Rejected));
            Assert.That(results[0].Error!.Type, Is.EqualTo(SyncErrorType.Validation));
            Assert.That(results[0].Error!.Message, Is.EqualTo("title is required"));
            Assert.That(results[1].Status, Is.EqualTo(PushStatus.Applied));
            Assert.That(_server.GetResource(ResourceType.Post, "p1"), Is.Null);
            Assert.That(_server.HasApplied(Client, bad.Id), Is.False);
        });
    }

    [Test]
    public async Task PushAsync_BatchOnOneResource_AppliedInOrder()
    {
        var results = await _server.PushAsync(Client,
        [
            Op(OperationType.Create, "p1", new JsonObject { ["n"] = 0 }),
            Op(OperationType.Update, "p1", new JsonObject { ["n"] = 1 }, baseVersion: 1),
            Op(OperationType.Update, "p1", new JsonObject { ["n"] = 2 }, baseVersion: 2),
        ], CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Version), Is.EqualTo(new long?[] { 1, 2, 3 }));
            Assert.That(_server.GetResource(ResourceType.Post, "p1")!.Data!["n"]!.GetValue<int>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task PushAsync_InjectedFailure_ThrowsTypedErrorWithRetryAfterAndAppliesNothing()
    {
        _server.EnqueuePushFailure(SyncErrorType.Network, TimeSpan.FromSeconds(7));
        var ex = await Assert.ThrowsAsync<SyncException>(() => PushOne(Op(OperationType.Create, "p1")));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.Network));
            Assert.That(ex.Error.IsRetryable, Is.True);
            Assert.That(ex.Error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(_server.GetResource(ResourceType.Post, "p1"), Is.Null);
            Assert.That(_server.PushCount, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PushAsync_FailuresQueueUp_EachPushTakesTheNext()
    {
        _server.EnqueuePushFailure(SyncErrorType.Network);
        _server.EnqueuePushFailure(SyncErrorType.Authentication);
        var first = await Assert.ThrowsAsync<SyncException>(() => PushOne(Op(OperationType.Create, "p1")));
        var second = await Assert.ThrowsAsync<SyncException>(() => PushOne(Op(OperationType.Create, "p1")));
        var third = await PushOne(Op(OperationType.Create, "p1"));
        Assert.Multiple(() =>
        {
            Assert.That(first!.Error.Type, Is.EqualTo(SyncErrorType.Network));
            Assert.That(second!.Error.Type, Is.EqualTo(SyncErrorType.Authentication));
            Assert.That(third.Status, Is.EqualTo(PushStatus.Applied));
        });
    }

    [Test]
    public async Task PushAsync_FailureAfterApplying_AppliesThenReplayIsDuplicate()
    {
        var create = Op(OperationType.Create, "p1", new JsonObject());
        _server.EnqueuePushFailure(SyncErrorType.Network, afterApplying: true);
        await Assert.ThrowsAsync<SyncException>(() => PushOne(create));
        var replay = await PushOne(create);
        Assert.Multiple(() =>
        {
            Assert.That(_server.HasApplied(Client, create.Id), Is.True);
            Assert.That((replay.Status, replay.Version), Is.EqualTo((PushStatus.Duplicate, 1L)));
            Assert.That(_server.OperationsApplied, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task PushAsync_Latency_AnswersOnlyAfterSchedulerAdvances()
    {
        _server.Latency = TimeSpan.FromSeconds(2);
        var push = PushOne(Op(OperationType.Create, "p1"));
        _scheduler.AdvanceBy(TimeSpan.FromSeconds(1).Ticks);
        Assert.That(push.IsCompleted, Is.False);
        _scheduler.AdvanceBy(TimeSpan.FromSeconds(1).Ticks);
        var result = await push.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.That(result.ServerUpdatedAt, Is.EqualTo(Epoch + TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task HoldPushes_PushWaitsUntilReleased()
    {
        _server.HoldPushes();
        var push = PushOne(Op(OperationType.Create, "p1"));
        Assert.Multiple(() =>
        {
            Assert.That(push.IsCompleted, Is.False);
            Assert.That(_server.HeldPushes, Is.EqualTo(1));
            Assert.That(_server.GetResource(ResourceType.Post, "p1"), Is.Null);
        });
        _server.ReleaseHeldPushes();
        var result = await push.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(PushStatus.Applied));
            Assert.That(_server.HeldPushes, Is.EqualTo(0));
        });
    }

    [Test]
    public async Task HoldPushes_Cancelled_ThrowsOperationCanceledAndAppliesNothing()
    {
        _server.HoldPushes();
        using var cts = new CancellationTokenSource();
        var push = _server.PushAsync(Client, [Op(OperationType.Create, "p1")], cts.Token);
        cts.Cancel();
        await Assert.CatchAsync<OperationCanceledException>(() => push);
        Assert.That(_server.GetResource(ResourceType.Post, "p1"), Is.Null);
    }

    [Test]
    public async Task PullAsync_PagesInSequenceOrderWithLatestStatePerResource()
    {
        _server.PutResource(ResourceType.Post, "a", new JsonObject { ["v"] = 1 });
        _server.PutResource(ResourceType.Post, "b", new JsonObject { ["v"] = 1 });
        _server.PutResource(ResourceType.Post, "c", new JsonObject { ["v"] = 1 });
        _server.PutResource(ResourceType.Post, "a", new JsonObject { ["v"] = 2 });
        _server.DeleteResource(ResourceType.Post, "b");

        var first = await _server.PullAsync(null, 2, CancellationToken.None);
        var second = await _server.PullAsync(first.Checkpoint, 2, CancellationToken.None);
        var empty = await _server.PullAsync(second.Checkpoint, 2, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(first.Changes.Select(c => c.ResourceId), Is.EqualTo(new[] { "c", "a" }));
            Assert.That(first.Changes[1].Version, Is.EqualTo(2));
            Assert.That(first.Checkpoint, Is.EqualTo(4));
            Assert.That(first.HasMore, Is.True);
            Assert.That(second.Changes.Select(c => (c.ResourceId, c.Deleted, c.Data)), Is.EqualTo(new[] { ("b", true, (JsonNode?)null) }));
            Assert.That(second.Checkpoint, Is.EqualTo(5));
            Assert.That(second.HasMore, Is.False);
            Assert.That(empty.Changes, Is.Empty);
            Assert.That(empty.Checkpoint, Is.EqualTo(5));
            Assert.That(empty.HasMore, Is.False);
        });
    }

    [Test]
    public async Task PullAsync_InjectedFailure_Throws()
    {
        _server.EnqueuePullFailure(SyncError.Of(SyncErrorType.Network, "down", TimeSpan.FromSeconds(1), 503));
        var ex = await Assert.ThrowsAsync<SyncException>(() => _server.PullAsync(0, 10, CancellationToken.None));
        Assert.That(ex!.Error.StatusCode, Is.EqualTo(503));
    }

    [Test]
    public async Task PullAsync_InvalidLimit_ThrowsNamingIt()
    {
        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => _server.PullAsync(0, 0, CancellationToken.None));
        Assert.That(ex!.ParamName, Is.EqualTo("limit"));
    }

    [Test]
    public async Task UploadContentAsync_StoresBytesAndPullShowsContentUrl()
    {
        await _server.UploadContentAsync("file 1", new MemoryStream([1, 2, 3]), "image/png", CancellationToken.None);
        await PushOne(Op(OperationType.Upload, "file 1", new JsonObject { ["name"] = "pic" }));
        var page = await _server.PullAsync(null, 10, CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(_server.GetContent("file 1"), Is.EqualTo(new byte[] { 1, 2, 3 }));
            Assert.That(page.Changes[0].ContentUrl, Is.EqualTo("/sync/content/file%201"));
            Assert.That(page.Changes[0].ContentSize, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task UploadContentAsync_ExistingResource_NewChangeSequenceSameVersion()
    {
        await PushOne(Op(OperationType.Upload, "f", new JsonObject { ["name"] = "pic" }));
        var before = (await _server.PullAsync(null, 10, CancellationToken.None)).Checkpoint;

        await _server.UploadContentAsync("f", new MemoryStream([1, 2, 3]), null, CancellationToken.None);
        var page = await _server.PullAsync(before, 10, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(page.Changes.Select(c => c.ResourceId), Is.EqualTo(new[] { "f" }), "a pull sees the new content");
            Assert.That(page.Changes[0].Version, Is.EqualTo(1));
            Assert.That(page.Changes[0].ContentSize, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task ContentSource_WholeContent_BytesLengthAndStrongETag()
    {
        await _server.UploadContentAsync("f", new MemoryStream([1, 2, 3, 4]), null, CancellationToken.None);

        var info = await _server.ContentSource.GetInfoAsync("f", CancellationToken.None);
        await using var response = await _server.ContentSource.OpenReadAsync("f", 0, null, CancellationToken.None);
        using var read = new MemoryStream();
        await response.Content.CopyToAsync(read);

        Assert.Multiple(() =>
        {
            Assert.That(info.Length, Is.EqualTo(4));
            Assert.That(info.IsStrongETag, Is.True);
            Assert.That(response.ETag, Is.EqualTo(info.ETag));
            Assert.That(response.IsPartial, Is.False);
            Assert.That(response.TotalLength, Is.EqualTo(4));
            Assert.That(read.ToArray(), Is.EqualTo(new byte[] { 1, 2, 3, 4 }));
        });
    }

    [Test]
    public async Task ContentSource_RangeWithMatchingETag_ServesTheRest()
    {
        await _server.UploadContentAsync("f", new MemoryStream([1, 2, 3, 4]), null, CancellationToken.None);
        var etag = (await _server.ContentSource.GetInfoAsync("f", CancellationToken.None)).ETag;

        await using var response = await _server.ContentSource.OpenReadAsync("f", 3, etag, CancellationToken.None);
        using var read = new MemoryStream();
        await response.Content.CopyToAsync(read);

        Assert.Multiple(() =>
        {
            Assert.That(response.IsPartial, Is.True);
            Assert.That(response.Offset, Is.EqualTo(3));
            Assert.That(read.ToArray(), Is.EqualTo(new byte[] { 4 }));
        });
    }

    [Test]
    public async Task ContentSource_RangeAfterContentChanged_ServesWholeNewContent()
    {
        await _server.UploadContentAsync("f", new MemoryStream([1, 2, 3, 4]), null, CancellationToken.None);
        var old = (await _server.ContentSource.GetInfoAsync("f", CancellationToken.None)).ETag;
        await _server.UploadContentAsync("f", new MemoryStream([9, 8]), null, CancellationToken.None);

        await using var response = await _server.ContentSource.OpenReadAsync("f", 3, old, CancellationToken.None);
        using var read = new MemoryStream();
        await response.Content.CopyToAsync(read);

        Assert.Multiple(() =>
        {
            Assert.That(response.ETag, Is.Not.EqualTo(old));
            Assert.That(response.IsPartial, Is.False);
            Assert.That(response.Offset, Is.Zero);
            Assert.That(read.ToArray(), Is.EqualTo(new byte[] { 9, 8 }));
        });
    }

    [Test]
    public async Task ContentSource_MissingContent_ThrowsNotRetryable404()
    {
        var ex = await Assert.ThrowsAsync<SyncException>(() => _server.ContentSource.OpenReadAsync("none", 0, null, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.StatusCode, Is.EqualTo(404));
            Assert.That(ex.Error.IsRetryable, Is.False);
            Assert.That(ex.Message, Does.Contain("none"));
        });
    }

    [Test]
    public async Task UploadContentAsync_OverLimit_ThrowsQuotaExceeded()
    {
        _server.MaxContentBytes = 2;
        var ex = await Assert.ThrowsAsync<SyncException>(() =>
            _server.UploadContentAsync("f", new MemoryStream([1, 2, 3]), null, CancellationToken.None));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.QuotaExceeded));
            Assert.That(_server.GetContent("f"), Is.Null);
        });
    }

    [Test]
    public async Task GetResource_ReturnsCopy_CallerCannotChangeServerState()
    {
        var data = new JsonObject { ["t"] = "a" };
        await PushOne(Op(OperationType.Create, "p1", data));
        data["t"] = "changed";
        _server.GetResource(ResourceType.Post, "p1")!.Data!["t"] = "changed too";
        Assert.That(_server.GetResource(ResourceType.Post, "p1")!.Data!["t"]!.GetValue<string>(), Is.EqualTo("a"));
    }
}
