using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class PushEndpointTests
{
    private TestServer _server = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestServer.StartAsync(options => options
            .AddValidator("post", op => op.Data?["title"]?.GetValue<string>() == "" ? "title must not be empty" : null));
        _client = _server.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [SetUp]
    public void ResetLimits() => _server.Options.MaxPushBodyBytes = 16 * 1024 * 1024;

    private static string NewId() => Guid.NewGuid().ToString("N");

    [Test]
    public async Task Push_Create_StoresVersionOneWithServerTimestamp()
    {
        var id = NewId();
        var op = Op("create", "post", id, data: new JsonObject { ["title"] = "hello" });

        var result = await PushOneAsync(_client, "device-1", op);

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(result["operationId"]!.GetValue<string>(), Is.EqualTo(op["id"]!.GetValue<string>()));
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(result["version"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(result["serverUpdatedAt"], Is.Not.Null);
            Assert.That(result["error"], Is.Null);
            Assert.That(stored!.Version, Is.EqualTo(1));
            Assert.That(stored.Data!["title"]!.GetValue<string>(), Is.EqualTo("hello"));
            Assert.That(stored.Deleted, Is.False);
        });
    }

    [Test]
    public async Task Push_UpdateWithCurrentBaseVersion_AppliesMergePatchAndIncrementsVersion()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a", ["body"] = "b", ["tag"] = "x" }));

        var result = await PushOneAsync(_client, "device-1", Op("update", "post", id, 1, new JsonObject { ["title"] = "a2", ["tag"] = null }));

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(result["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(stored!.Version, Is.EqualTo(2));
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"title":"a2","body":"b"}"""));
        });
    }

    [Test]
    public async Task Push_UpdateWithoutBaseVersion_IsBlindWrite()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a" }));
        await PushOneAsync(_client, "device-2", Op("update", "post", id, 1, new JsonObject { ["title"] = "b" }));

        var result = await PushOneAsync(_client, "device-1", Op("update", "post", id, null, new JsonObject { ["title"] = "c" }));

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("applied"));
        Assert.That(result["version"]!.GetValue<long>(), Is.EqualTo(3));
    }

    [Test]
    public async Task Push_UpdateWithStaleBaseVersion_AnswersConflictWithServerCopyAndChangesNothing()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a" }));
        var second = await PushOneAsync(_client, "device-2", Op("update", "post", id, 1, new JsonObject { ["title"] = "server" }));

        var result = await PushOneAsync(_client, "device-1", Op("update", "post", id, 1, new JsonObject { ["title"] = "client" }));

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(result["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(result["serverData"]!["title"]!.GetValue<string>(), Is.EqualTo("server"));
            Assert.That(result["serverDeleted"]!.GetValue<bool>(), Is.False);
            Assert.That(result["serverUpdatedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(second["serverUpdatedAt"]!.GetValue<DateTimeOffset>()));
            Assert.That(stored!.Version, Is.EqualTo(2));
            Assert.That(stored.Data!["title"]!.GetValue<string>(), Is.EqualTo("server"));
        });
    }

    [Test]
    public async Task Push_UpdateOfDeletedResource_AnswersConflictWithServerDeleted()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a" }));
        await PushOneAsync(_client, "device-1", Op("delete", "post", id, 1));

        var result = await PushOneAsync(_client, "device-2", Op("update", "post", id, null, new JsonObject { ["title"] = "b" }));

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(result["serverData"], Is.Null);
            Assert.That(result["serverDeleted"]!.GetValue<bool>(), Is.True);
            Assert.That(result["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(stored!.Deleted, Is.True);
            Assert.That(stored.Version, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Push_UpdateOfMissingResource_AnswersConflictWithServerDeleted()
    {
        var result = await PushOneAsync(_client, "device-1", Op("update", "post", NewId(), 1, new JsonObject { ["title"] = "b" }));

        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(result["serverDeleted"]!.GetValue<bool>(), Is.True);
            Assert.That(result["version"], Is.Null);
        });
    }

    [Test]
    public async Task Push_CreateOfExistingResource_AnswersConflict()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "first" }));

        var result = await PushOneAsync(_client, "device-2", Op("create", "post", id, data: new JsonObject { ["title"] = "second" }));

        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(result["serverData"]!["title"]!.GetValue<string>(), Is.EqualTo("first"));
            Assert.That(result["version"]!.GetValue<long>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Push_DeleteThenCreate_SoftDeletesAndRecreatesAtNextVersion()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a" }));

        var deleted = await PushOneAsync(_client, "device-1", Op("delete", "post", id, 1));
        var afterDelete = await _server.Store.GetResourceAsync("post", id);
        var recreated = await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "again" }));

        Assert.Multiple(() =>
        {
            Assert.That(deleted["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(deleted["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(afterDelete!.Deleted, Is.True);
            Assert.That(afterDelete.Data, Is.Null);
            Assert.That(recreated["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(recreated["version"]!.GetValue<long>(), Is.EqualTo(3));
        });
    }

    [Test]
    public async Task Push_DeleteWithStaleBaseVersion_AnswersConflictAndKeepsResource()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a" }));
        await PushOneAsync(_client, "device-1", Op("update", "post", id, 1, new JsonObject { ["title"] = "b" }));

        var result = await PushOneAsync(_client, "device-2", Op("delete", "post", id, 1));

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(result["serverData"]!["title"]!.GetValue<string>(), Is.EqualTo("b"));
            Assert.That(stored!.Deleted, Is.False);
            Assert.That(stored.Version, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Push_DeleteOfMissingOrDeletedResource_AnswersAppliedWithCurrentVersion()
    {
        var id = NewId();
        var missing = await PushOneAsync(_client, "device-1", Op("delete", "post", NewId()));
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject()));
        await PushOneAsync(_client, "device-1", Op("delete", "post", id, 1));

        var again = await PushOneAsync(_client, "device-2", Op("delete", "post", id, 1));

        Assert.Multiple(() =>
        {
            Assert.That(missing["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(missing["version"], Is.Null);
            Assert.That(again["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(again["version"]!.GetValue<long>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Push_UploadAndDownload_MergeMetadataWithoutCheckAndChangeNothing()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "resource", id, data: new JsonObject { ["name"] = "a.pdf" }));
        var upload = await PushOneAsync(_client, "device-1", Op("upload", "resource", id, 99, new JsonObject { ["size"] = 10 }));

        var download = await PushOneAsync(_client, "device-1", Op("download", "resource", id));

        var stored = await _server.Store.GetResourceAsync("resource", id);
        Assert.Multiple(() =>
        {
            Assert.That(upload["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(upload["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(download["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(download["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(stored!.Version, Is.EqualTo(2));
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"name":"a.pdf","size":10}"""));
        });
    }

    [Test]
    public async Task Push_ReplayedOperation_AnswersDuplicateWithFirstAnswerAndChangesNothing()
    {
        var id = NewId();
        var create = Op("create", "post", id, data: new JsonObject { ["title"] = "a" });
        var first = await PushOneAsync(_client, "device-1", create);
        var update = Op("update", "post", id, 1, new JsonObject { ["title"] = "b" });
        var firstUpdate = await PushOneAsync(_client, "device-1", update);
        var sequenceBefore = await _server.Store.GetLastSequenceAsync();
        var duplicatesBefore = _server.Metrics.Duplicates;

        var replay = await PushAsync(_client, "device-1", create, update);

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(async () =>
        {
            Assert.That(replay[0]!["status"]!.GetValue<string>(), Is.EqualTo("duplicate"));
            Assert.That(replay[0]!["version"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(replay[0]!["serverUpdatedAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(first["serverUpdatedAt"]!.GetValue<DateTimeOffset>()));
            Assert.That(replay[1]!["status"]!.GetValue<string>(), Is.EqualTo("duplicate"));
            Assert.That(replay[1]!["version"]!.GetValue<long>(), Is.EqualTo(firstUpdate["version"]!.GetValue<long>()));
            Assert.That(stored!.Version, Is.EqualTo(2));
            Assert.That(stored.Data!["title"]!.GetValue<string>(), Is.EqualTo("b"));
            Assert.That(await _server.Store.GetLastSequenceAsync(), Is.EqualTo(sequenceBefore));
            Assert.That(_server.Metrics.Duplicates - duplicatesBefore, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Push_ReplayOfAppliedOperationAfterLaterConflict_StillAnswersFirstAnswer()
    {
        var id = NewId();
        var create = Op("create", "post", id, data: new JsonObject { ["title"] = "a" });
        await PushOneAsync(_client, "device-1", create);
        await PushOneAsync(_client, "device-2", Op("update", "post", id, 1, new JsonObject { ["title"] = "b" }));
        var conflict = await PushOneAsync(_client, "device-1", Op("update", "post", id, 1, new JsonObject { ["title"] = "c" }));

        var replay = await PushOneAsync(_client, "device-1", create);

        Assert.Multiple(() =>
        {
            Assert.That(conflict["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(replay["status"]!.GetValue<string>(), Is.EqualTo("duplicate"));
            Assert.That(replay["version"]!.GetValue<long>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Push_ReplayOfConflictedOperation_IsEvaluatedAgainAndChangesNothing()
    {
        var id = NewId();
        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["title"] = "a" }));
        await PushOneAsync(_client, "device-2", Op("update", "post", id, 1, new JsonObject { ["title"] = "server" }));
        var stale = Op("update", "post", id, 1, new JsonObject { ["title"] = "client" });
        var first = await PushOneAsync(_client, "device-1", stale);
        var sequenceBefore = await _server.Store.GetLastSequenceAsync();

        var replay = await PushOneAsync(_client, "device-1", stale);

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(async () =>
        {
            Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(replay["status"]!.GetValue<string>(), Is.EqualTo("conflict"));
            Assert.That(replay["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(replay["serverData"]!["title"]!.GetValue<string>(), Is.EqualTo("server"));
            Assert.That(stored!.Data!["title"]!.GetValue<string>(), Is.EqualTo("server"));
            Assert.That(await _server.Store.GetLastSequenceAsync(), Is.EqualTo(sequenceBefore));
            Assert.That(await _server.Store.GetRecordedResultAsync("device-1", Guid.Parse(stale["id"]!.GetValue<string>())), Is.Null);
        });
    }

    [Test]
    public async Task Push_SameBatchSentConcurrently_AppliesEachOperationExactlyOnce()
    {
        var clientId = "concurrent-" + NewId();
        var ops = Enumerable.Range(0, 40).Select(i => Op("create", "post", NewId(), data: new JsonObject { ["i"] = i })).ToArray();

        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => PushAsync(_client, clientId, ops)));

        Assert.Multiple(async () =>
        {
            for (var i = 0; i < ops.Length; i++)
            {
                var statuses = answers.Select(a => a[i]!["status"]!.GetValue<string>()).ToList();
                Assert.That(statuses.Count(s => s == "applied"), Is.EqualTo(1), $"operation {i}");
                Assert.That(statuses.Count(s => s == "duplicate"), Is.EqualTo(5), $"operation {i}");
                Assert.That(answers.Select(a => a[i]!["version"]!.GetValue<long>()), Is.All.EqualTo(1));
            }

            Assert.That(await _server.Store.CountRecordedOperationsAsync(clientId), Is.EqualTo(ops.Length));
        });
    }

    [Test]
    public async Task Push_SameOperationTwiceInOneBatch_SecondIsDuplicate()
    {
        var op = Op("create", "post", NewId(), data: new JsonObject());

        var results = await PushAsync(_client, "device-1", op, op);

        Assert.That(results.Select(r => r!["status"]!.GetValue<string>()), Is.EqualTo(new[] { "applied", "duplicate" }));
    }

    [Test]
    public async Task Push_SameOperationIdFromAnotherClient_IsNotADuplicate()
    {
        var opId = Guid.NewGuid();
        var first = await PushOneAsync(_client, "device-1", Op("create", "post", NewId(), data: new JsonObject(), id: opId));

        var other = await PushOneAsync(_client, "device-2", Op("create", "post", NewId(), data: new JsonObject(), id: opId));

        Assert.That(first["status"]!.GetValue<string>(), Is.EqualTo("applied"));
        Assert.That(other["status"]!.GetValue<string>(), Is.EqualTo("applied"));
    }

    [Test]
    public async Task Push_RejectedByValidator_AnswersRejectedAndAppliesTheRestOfTheBatch()
    {
        var good1 = NewId();
        var bad = NewId();
        var good2 = NewId();

        var results = await PushAsync(
            _client,
            "device-1",
            Op("create", "post", good1, data: new JsonObject { ["title"] = "ok" }),
            Op("create", "post", bad, data: new JsonObject { ["title"] = "" }),
            Op("create", "post", good2, data: new JsonObject { ["title"] = "ok too" }));

        Assert.Multiple(async () =>
        {
            Assert.That(results.Select(r => r!["status"]!.GetValue<string>()), Is.EqualTo(new[] { "applied", "rejected", "applied" }));
            Assert.That(results[1]!["error"]!["type"]!.GetValue<string>(), Is.EqualTo("validation"));
            Assert.That(results[1]!["error"]!["message"]!.GetValue<string>(), Is.EqualTo("title must not be empty"));
            Assert.That(await _server.Store.GetResourceAsync("post", bad), Is.Null);
            Assert.That(await _server.Store.GetResourceAsync("post", good1), Is.Not.Null);
            Assert.That(await _server.Store.GetResourceAsync("post", good2), Is.Not.Null);
        });
    }

    [Test]
    public async Task Push_ValidatorOfOtherType_DoesNotApply()
    {
        var result = await PushOneAsync(_client, "device-1", Op("create", "comment", NewId(), data: new JsonObject { ["title"] = "" }));

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("applied"));
    }

    [Test]
    public async Task Push_NonObjectData_IsRejected()
    {
        var result = await PushOneAsync(_client, "device-1", Op("create", "post", NewId(), data: new JsonArray(1, 2)));

        Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("rejected"));
    }

    [Test]
    public async Task Push_ManyOperationsOnOneResource_AppliedInOrder()
    {
        var id = NewId();
        var ops = new List<JsonObject> { Op("create", "post", id, data: new JsonObject { ["n"] = 0 }) };
        for (var i = 1; i <= 50; i++)
        {
            ops.Add(Op("update", "post", id, i, new JsonObject { ["n"] = i }));
        }

        var results = await PushAsync(_client, "device-1", ops.ToArray());

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r!["version"]!.GetValue<long>()), Is.EqualTo(Enumerable.Range(1, 51).Select(i => (long)i)));
            Assert.That(stored!.Data!["n"]!.GetValue<int>(), Is.EqualTo(50));
        });
    }

    [Test]
    public async Task Push_MixedBatchOnOneResource_EndsAtLastStateWithOneSequencePerChange()
    {
        var id = NewId();
        var before = await _server.Store.GetLastSequenceAsync();

        var results = await PushAsync(
            _client,
            "device-1",
            Op("create", "post", id, data: new JsonObject { ["title"] = "a" }),
            Op("delete", "post", id, 1),
            Op("create", "post", id, data: new JsonObject { ["title"] = "b" }),
            Op("update", "post", id, 1, new JsonObject { ["title"] = "stale" }),
            Op("update", "post", id, 3, new JsonObject { ["body"] = "c" }));

        var stored = await _server.Store.GetResourceAsync("post", id);
        var page = await PullAsync(_client, before);
        Assert.Multiple(async () =>
        {
            Assert.That(results.Select(r => r!["status"]!.GetValue<string>()), Is.EqualTo(new[] { "applied", "applied", "applied", "conflict", "applied" }));
            Assert.That(results.Select(r => r!["version"]!.GetValue<long>()), Is.EqualTo(new long[] { 1, 2, 3, 3, 4 }));
            Assert.That(results[3]!["serverData"]!.ToJsonString(), Is.EqualTo("""{"title":"b"}"""));
            Assert.That(stored!.Version, Is.EqualTo(4));
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"title":"b","body":"c"}"""));
            Assert.That(stored.Sequence, Is.EqualTo(before + 4));
            Assert.That(await _server.Store.GetLastSequenceAsync(), Is.EqualTo(before + 4));
            Assert.That(page["changes"]!.AsArray().Select(c => c!["resourceId"]!.GetValue<string>()), Is.EqualTo(new[] { id }));
        });
    }

    [Test]
    public async Task Push_DataWithCharactersJsonEscapes_IsStoredExactly()
    {
        var id = NewId();
        const string text = "quote \" backslash \\ <tag> & é 😀 \u0001 line\nbreak";

        await PushOneAsync(_client, "device-1", Op("create", "post", id, data: new JsonObject { ["t"] = text, ["n"] = 1.5e300 }));
        var replay = await PushOneAsync(_client, "device-1", Op("update", "post", id, 1, new JsonObject { ["u"] = text }));

        var stored = await _server.Store.GetResourceAsync("post", id);
        Assert.Multiple(() =>
        {
            Assert.That(replay["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(stored!.Data!["t"]!.GetValue<string>(), Is.EqualTo(text));
            Assert.That(stored.Data!["u"]!.GetValue<string>(), Is.EqualTo(text));
            Assert.That(stored.Data!["n"]!.GetValue<double>(), Is.EqualTo(1.5e300));
        });
    }

    [Test]
    public async Task Push_BodyOverLimit_Answers413QuotaExceeded()
    {
        _server.Options.MaxPushBodyBytes = 1024;
        var id = NewId();
        var body = PushBody("device-1", Op("create", "post", id, data: new JsonObject { ["text"] = new string('x', 4000) }));

        using var response = await PostPushAsync(_client, body);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(await ErrorTypeAsync(response), Is.EqualTo("quota_exceeded"));
            Assert.That(await _server.Store.GetResourceAsync("post", id), Is.Null);
        });
    }

    [Test]
    public async Task Push_ChunkedBodyOverLimit_Answers413()
    {
        _server.Options.MaxPushBodyBytes = 1024;
        var body = PushBody("device-1", Op("create", "post", NewId(), data: new JsonObject { ["text"] = new string('x', 4000) }));
        using var content = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes(body.ToJsonString())));
        content.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "sync/push") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
    }

    [TestCase("{not json", TestName = "Push_MalformedJson_Answers400Validation")]
    [TestCase("""{"operations":[]}""", TestName = "Push_MissingClientId_Answers400Validation")]
    [TestCase("""{"clientId":"d","operations":[{"id":"6f9619ff-8b86-d011-b42d-00c04fc964ff","type":"explode","resourceType":"post","resourceId":"x"}]}""", TestName = "Push_UnknownOperationType_Answers400Validation")]
    [TestCase("""{"clientId":"d","operations":[{"id":"6f9619ff-8b86-d011-b42d-00c04fc964ff","type":"create","resourceType":"post"}]}""", TestName = "Push_MissingResourceId_Answers400Validation")]
    public async Task Push_InvalidBody_Answers400Validation(string json)
    {
        using var response = await _client.PostAsync("sync/push", new StringContent(json, Encoding.UTF8, "application/json"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await ErrorTypeAsync(response), Is.EqualTo("validation"));
        });
    }

    [Test]
    public async Task Push_Response_CarriesDateHeader()
    {
        using var response = await PostPushAsync(_client, PushBody("device-1"));

        Assert.That(response.Headers.Date, Is.Not.Null);
    }
}
