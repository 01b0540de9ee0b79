using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Http;

public class HttpSyncTransportTests
{
    private static readonly Uri Server = new("http://sync.test/");
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly Guid Op1 = Guid.Parse("0195f3c1-0000-7000-8000-000000000001");
    private static readonly Guid Op2 = Guid.Parse("0195f3c1-0000-7000-8000-000000000002");

    private static HttpSyncTransport Create(StubHttpHandler handler, TestScheduler? scheduler = null, HttpSyncTransportOptions? options = null, Uri? server = null) =>
        new(server ?? Server, new StaticAccessTokenProvider("secret-token"), scheduler ?? new TestScheduler(), options, handler: handler);

    private static OfflineOperation Operation(Guid id, OperationType type = OperationType.Update, string resourceId = "p-1") => new()
    {
        Id = id,
        Type = type,
        ResourceType = ResourceType.Post,
        ResourceId = resourceId,
        CreatedAt = T0,
        ScheduledAt = T0,
        ClientTimestamp = T0,
    };

    private static string Applied(params Guid[] ids) =>
        "{\"results\":[" + string.Join(",", ids.Select(id => $"{{\"operationId\":\"{id}\",\"status\":\"applied\",\"version\":1,\"serverData\":null,\"serverDeleted\":false,\"serverUpdatedAt\":\"2026-11-25T10:00:01+00:00\",\"error\":null}}")) + "]}";

    [Test]
    public async Task PushAsync_Batch_SendsProtocolJsonExactly()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op1, Op2)));
        using var transport = Create(handler);
        var update = Operation(Op1) with
        {
            BaseVersion = 3,
            Data = JsonNode.Parse("{\"title\":\"Hello\",\"tags\":[\"a\"],\"body\":null}"),
            DependsOn = [Op2],
            Priority = SyncPriority.Critical,
            RetryCount = 2,
        };
        var create = Operation(Op2, OperationType.Create, "p-2") with
        {
            ResourceType = ResourceType.UserProfile,
            Data = JsonNode.Parse("{\"name\":\"Ada\"}"),
            ClientTimestamp = new DateTimeOffset(2026, 11, 25, 11, 30, 0, TimeSpan.FromHours(1)),
        };

        await transport.PushAsync("device-1", [update, create], CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Post));
            Assert.That(request.Uri.ToString(), Is.EqualTo("http://sync.test/sync/push"));
            Assert.That(request.ContentType, Does.StartWith("application/json"));
            Assert.That(request.Body, Is.EqualTo(
                "{\"clientId\":\"device-1\",\"operations\":["
                + "{\"id\":\"0195f3c1-0000-7000-8000-000000000001\",\"type\":\"update\",\"resourceType\":\"post\",\"resourceId\":\"p-1\","
                + "\"baseVersion\":3,\"data\":{\"title\":\"Hello\",\"tags\":[\"a\"],\"body\":null},\"clientTimestamp\":\"2026-11-25T10:00:00+00:00\","
                + "\"dependsOn\":[\"0195f3c1-0000-7000-8000-000000000002\"]},"
                + "{\"id\":\"0195f3c1-0000-7000-8000-000000000002\",\"type\":\"create\",\"resourceType\":\"user_profile\",\"resourceId\":\"p-2\","
                + "\"baseVersion\":null,\"data\":{\"name\":\"Ada\"},\"clientTimestamp\":\"2026-11-25T11:30:00+01:00\",\"dependsOn\":[]}]}"));
        });
    }

    [TestCase(OperationType.Create, "create")]
    [TestCase(OperationType.Update, "update")]
    [TestCase(OperationType.Delete, "delete")]
    [TestCase(OperationType.Upload, "upload")]
    [TestCase(OperationType.Download, "download")]
    public async Task PushAsync_EachOperationType_IsLowercaseOnTheWire(OperationType type, string wire)
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op1)));
        using var transport = Create(handler);

        await transport.PushAsync("device-1", [Operation(Op1, type)], CancellationToken.None);

        var body = JsonNode.Parse(handler.Requests.Single().Body!)!;
        Assert.That(body["operations"]![0]!["type"]!.GetValue<string>(), Is.EqualTo(wire));
    }

    [Test]
    public async Task PushAsync_ResultsOfEachStatus_AreMapped()
    {
        var ids = new[] { Op1, Op2, Guid.Parse("0195f3c1-0000-7000-8000-000000000003"), Guid.Parse("0195f3c1-0000-7000-8000-000000000004") };
        var json = "{\"results\":["
            + $"{{\"operationId\":\"{ids[0]}\",\"status\":\"applied\",\"version\":4,\"serverData\":null,\"serverDeleted\":false,\"serverUpdatedAt\":\"2026-11-25T10:00:01+00:00\",\"error\":null}},"
            + $"{{\"operationId\":\"{ids[1]}\",\"status\":\"duplicate\",\"version\":2,\"serverData\":null,\"serverDeleted\":false,\"serverUpdatedAt\":\"2026-11-25T09:00:00+00:00\",\"error\":null}},"
            + $"{{\"operationId\":\"{ids[2]}\",\"status\":\"conflict\",\"version\":7,\"serverData\":{{\"title\":\"theirs\"}},\"serverDeleted\":false,\"serverUpdatedAt\":\"2026-11-25T09:30:00+00:00\",\"error\":null}},"
            + $"{{\"operationId\":\"{ids[3]}\",\"status\":\"rejected\",\"version\":null,\"serverData\":null,\"serverDeleted\":false,\"serverUpdatedAt\":null,\"error\":{{\"type\":\"validation\",\"message\":\"title is required\"}}}}"
            + "]}";
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, json));
        using var transport = Create(handler);

        var results = await transport.PushAsync("device-1", ids.Select(id => Operation(id)).ToList(), CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Status), Is.EqualTo(new[] { PushStatus.Applied, PushStatus.Duplicate, PushStatus.Conflict, PushStatus.Rejected }));
            Assert.That(results[0].Version, Is.EqualTo(4));
            Assert.That(results[0].ServerUpdatedAt, Is.EqualTo(T0.AddSeconds(1)));
            Assert.That(results[2].ServerData!.ToJsonString(), Is.EqualTo("{\"title\":\"theirs\"}"));
            Assert.That(results[2].Version, Is.EqualTo(7));
            Assert.That(results[3].Error, Is.EqualTo(SyncError.Of(SyncErrorType.Validation, "title is required")));
            Assert.That(results[3].Version, Is.Null);
        });
    }

    [Test]
    public async Task PushAsync_ConflictWithDeletedServerCopy_MapsServerDeleted()
    {
        var json = $"{{\"results\":[{{\"operationId\":\"{Op1}\",\"status\":\"conflict\",\"version\":5,\"serverData\":null,\"serverDeleted\":true,\"serverUpdatedAt\":\"2026-11-25T10:00:00+00:00\",\"error\":null}}]}}";
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, json)));

        var result = (await transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None)).Single();

        Assert.That((result.ServerDeleted, result.ServerData), Is.EqualTo((true, (JsonNode?)null)));
    }

    [Test]
    public async Task PushAsync_NoOperations_SendsNothing()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, "{\"results\":[]}"));
        using var transport = Create(handler);

        var results = await transport.PushAsync("device-1", [], CancellationToken.None);

        Assert.That((results.Count, handler.Requests.Count), Is.EqualTo((0, 0)));
    }

    [Test]
    public async Task PushAsync_EmptyClientId_ThrowsArgumentExceptionNamingIt()
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, "{}")));

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => transport.PushAsync(" ", [Operation(Op1)], CancellationToken.None));

        Assert.That(ex!.ParamName, Is.EqualTo("clientId"));
    }

    [Test]
    public async Task PushAsync_SendsBearerTokenAndUserAgent()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op1)));
        using var transport = Create(handler, options: new HttpSyncTransportOptions { UserAgent = "NotesApp/2.1" });

        await transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.That((request.Authorization, request.Headers["User-Agent"]), Is.EqualTo(("Bearer secret-token", "NotesApp/2.1")));
    }

    [Test]
    public async Task PushAsync_ServerUnderBasePath_ResolvesRoutesUnderIt()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op1)));
        using var transport = Create(handler, server: new Uri("http://sync.test/api/v1"));

        await transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None);

        Assert.That(handler.Requests.Single().Uri.ToString(), Is.EqualTo("http://sync.test/api/v1/sync/push"));
    }

    [TestCase("{\"results\":[", "truncated")]
    [TestCase("{\"results\":[{\"operationId\":\"0195f3c1-0000-7000-8000-0000", "truncated")]
    [TestCase("{\"results\": nope}", "not valid protocol JSON")]
    [TestCase("<html><body>502 Bad Gateway</body></html>", "HTML page")]
    [TestCase("", "empty")]
    [TestCase("null", "null")]
    [TestCase("{}", "'results' is missing")]
    [TestCase("{\"results\":[]}", "0 results for 1 operations")]
    [TestCase("{\"results\":[{\"status\":\"applied\"}]}", "lacks 'operationId'")]
    [TestCase("{\"results\":[{\"operationId\":\"0195f3c1-0000-7000-8000-000000000001\"}]}", "lacks 'status'")]
    [TestCase("{\"results\":[{\"operationId\":\"0195f3c1-0000-7000-8000-000000000009\",\"status\":\"applied\"}]}", "is for operation 0195f3c1-0000-7000-8000-000000000009, expected 0195f3c1-0000-7000-8000-000000000001")]
    [TestCase("{\"results\":[{\"operationId\":\"0195f3c1-0000-7000-8000-000000000001\",\"status\":\"done\"}]}", "not valid protocol JSON (at $.results[0].status")]
    [TestCase("{\"results\":[{\"operationId\":\"0195f3c1-0000-7000-8000-000000000001\",\"status\":2}]}", "not valid protocol JSON")]
    [TestCase("{\"results\":[null]}", "result 0 is null")]
    public async Task PushAsync_MalformedAnswer_ThrowsRetryableUnknownSayingWhat(string body, string expectedDetail)
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Text(HttpStatusCode.OK, body, body.StartsWith('<') ? "text/html" : "application/json"));
        using var transport = Create(handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.Unknown));
            Assert.That(ex.Error.IsRetryable, Is.True);
            Assert.That(ex.Error.StatusCode, Is.EqualTo(200));
            Assert.That(ex.Error.Message, Does.Contain("malformed").And.Contain(expectedDetail));
        });
    }

    [Test]
    public async Task PushAsync_ResultsInWrongOrder_IsMalformed()
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op2, Op1))));

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1), Operation(Op2)], CancellationToken.None));

        Assert.That(ex!.Error.Message, Does.Contain($"result 0 is for operation {Op2}, expected {Op1}"));
    }

    [TestCase(401, SyncErrorType.Authentication, false)]
    [TestCase(403, SyncErrorType.Authentication, false)]
    [TestCase(400, SyncErrorType.Validation, false)]
    [TestCase(422, SyncErrorType.Validation, false)]
    [TestCase(409, SyncErrorType.Conflict, false)]
    [TestCase(413, SyncErrorType.QuotaExceeded, false)]
    [TestCase(507, SyncErrorType.QuotaExceeded, false)]
    [TestCase(429, SyncErrorType.Network, true)]
    [TestCase(503, SyncErrorType.Network, true)]
    [TestCase(500, SyncErrorType.Network, true)]
    [TestCase(502, SyncErrorType.Network, true)]
    [TestCase(504, SyncErrorType.Network, true)]
    [TestCase(408, SyncErrorType.Network, true)]
    [TestCase(404, SyncErrorType.Unknown, false)]
    [TestCase(418, SyncErrorType.Unknown, false)]
    public async Task PushAsync_ErrorStatus_IsClassified(int status, SyncErrorType type, bool retryable)
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Text((HttpStatusCode)status, "oops")));

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable, ex.Error.StatusCode), Is.EqualTo((type, retryable, (int?)status)));
    }

    [Test]
    public async Task PushAsync_ValidationErrorWithBody_UsesServerMessage()
    {
        var body = "{\"error\":{\"type\":\"validation\",\"message\":\"clientId is too long\"}}";
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.BadRequest, body)));

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That(ex!.Error, Is.EqualTo(SyncError.Of(SyncErrorType.Validation, "clientId is too long", statusCode: 400)));
    }

    [TestCase("<html>Bad request</html>", "text/html")]
    [TestCase("{\"error\":", "application/json")]
    [TestCase("", "text/plain")]
    public async Task PushAsync_ErrorWithUnreadableBody_StillClassifiedByStatus(string body, string mediaType)
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Text(HttpStatusCode.UnprocessableEntity, body, mediaType)));

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.Message), Is.EqualTo((SyncErrorType.Validation, "The server rejected push of 1 operations as invalid (422).")));
    }

    [Test]
    public async Task PushAsync_RetryAfterSeconds_IsParsed()
    {
        var handler = new StubHttpHandler(_ =>
        {
            var response = StubHttpHandler.Text(HttpStatusCode.TooManyRequests, "slow down");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(120));
            return response;
        });
        using var transport = Create(handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable, ex.Error.RetryAfter), Is.EqualTo((SyncErrorType.Network, true, (TimeSpan?)TimeSpan.FromSeconds(120))));
    }

    [Test]
    public async Task PushAsync_RetryAfterHttpDate_IsRelativeToServerDateHeader()
    {
        // The server's clock is an hour ahead of the client's: the wait is measured on the server's clock.
        var serverNow = T0.AddHours(1);
        var handler = new StubHttpHandler(_ =>
        {
            var response = StubHttpHandler.Text(HttpStatusCode.ServiceUnavailable, "maintenance");
            response.Headers.Date = serverNow;
            response.Headers.TryAddWithoutValidation("Retry-After", serverNow.AddSeconds(90).ToString("r"));
            return response;
        });
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(T0.UtcTicks);
        using var transport = Create(handler, scheduler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.RetryAfter, ex.Error.StatusCode), Is.EqualTo((SyncErrorType.Network, (TimeSpan?)TimeSpan.FromSeconds(90), (int?)503)));
    }

    [Test]
    public async Task PushAsync_RetryAfterHttpDateWithoutDateHeader_IsRelativeToSchedulerNow()
    {
        var handler = new StubHttpHandler(_ =>
        {
            var response = StubHttpHandler.Text(HttpStatusCode.TooManyRequests, "slow down");
            response.Headers.TryAddWithoutValidation("Retry-After", T0.AddSeconds(45).ToString("r"));
            return response;
        });
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(T0.UtcTicks);
        using var transport = Create(handler, scheduler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That(ex!.Error.RetryAfter, Is.EqualTo(TimeSpan.FromSeconds(45)));
    }

    [Test]
    public async Task PushAsync_RetryAfterDateInThePast_IsZero()
    {
        var handler = new StubHttpHandler(_ =>
        {
            var response = StubHttpHandler.Text(HttpStatusCode.ServiceUnavailable, "x");
            response.Headers.Date = T0;
            response.Headers.TryAddWithoutValidation("Retry-After", T0.AddSeconds(-30).ToString("r"));
            return response;
        });
        using var transport = Create(handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That(ex!.Error.RetryAfter, Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public async Task PushAsync_ConnectionRefused_IsRetryableNetworkError()
    {
        var handler = new StubHttpHandler((_, _, _) => Task.FromException<HttpResponseMessage>(
            new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (sync.test:80)", new System.Net.Sockets.SocketException(111))));
        using var transport = Create(handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That((ex!.Error.Type, ex.Error.IsRetryable, ex.Error.StatusCode), Is.EqualTo((SyncErrorType.Network, true, (int?)null)));
            Assert.That(ex.Error.Message, Does.Contain("Could not reach the server").And.Contain("ConnectionError"));
            Assert.That(ex.InnerException, Is.TypeOf<HttpRequestException>());
        });
    }

    [Test]
    public async Task PushAsync_ConnectionResetWhileReadingBody_IsRetryableNetworkError()
    {
        var handler = new StubHttpHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new FailingStream()) });
        using var transport = Create(handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable), Is.EqualTo((SyncErrorType.Network, true)));
    }

    [Test]
    public async Task PushAsync_ServerSilentPastTimeout_IsRetryableNetworkTimeout()
    {
        var scheduler = new TestScheduler();
        var handler = new StubHttpHandler((_, _, ct) => StubHttpHandler.HangUntilCancelled(ct));
        using var transport = Create(handler, scheduler, new HttpSyncTransportOptions { Timeout = TimeSpan.FromSeconds(10) });

        var push = transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(9.9).Ticks);
        var pendingBeforeTimeout = !push.IsCompleted;
        scheduler.AdvanceBy(TimeSpan.FromSeconds(0.1).Ticks);

        var ex = await Assert.ThrowsAsync<SyncException>(() => push);
        Assert.Multiple(() =>
        {
            Assert.That(pendingBeforeTimeout, Is.True);
            Assert.That((ex!.Error.Type, ex.Error.IsRetryable), Is.EqualTo((SyncErrorType.Network, true)));
            Assert.That(ex.Error.Message, Does.Contain("within 10 s"));
        });
    }

    [Test]
    public async Task PushAsync_CallerCancels_OperationCanceledPropagatesUnchanged()
    {
        var scheduler = new TestScheduler();
        var handler = new StubHttpHandler((_, _, ct) => StubHttpHandler.HangUntilCancelled(ct));
        using var transport = Create(handler, scheduler);
        using var cts = new CancellationTokenSource();

        var push = transport.PushAsync("device-1", [Operation(Op1)], cts.Token);
        cts.Cancel();

        var ex = await Assert.CatchAsync<OperationCanceledException>(() => push);
        Assert.That(ex!.CancellationToken, Is.EqualTo(cts.Token));
    }

    [Test]
    public async Task PushAsync_AlreadyCancelled_ThrowsWithoutSending()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op1)));
        using var transport = Create(handler);

        await Assert.CatchAsync<OperationCanceledException>(() => transport.PushAsync("device-1", [Operation(Op1)], new CancellationToken(canceled: true)));
        Assert.That(handler.Requests, Is.Empty);
    }

    [Test]
    public async Task ServerClockOffset_AfterResponseWithDate_IsServerMinusSchedulerNow()
    {
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(T0.UtcTicks);
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, Applied(Op1), date: T0.AddSeconds(-42)));
        using var transport = Create(handler, scheduler);
        var before = transport.ServerClockOffset;

        await transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None);

        Assert.That((before, transport.ServerClockOffset), Is.EqualTo((TimeSpan.Zero, TimeSpan.FromSeconds(-42))));
    }

    [Test]
    public async Task ServerClockOffset_LearnedFromErrorResponsesToo_LatestWins()
    {
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(T0.UtcTicks);
        var handler = new StubHttpHandler((_, i) =>
        {
            var response = StubHttpHandler.Text(HttpStatusCode.InternalServerError, "x");
            response.Headers.Date = T0.AddSeconds(i == 0 ? 5 : 7);
            return response;
        });
        using var transport = Create(handler, scheduler);

        await Assert.CatchAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));
        await Assert.CatchAsync<SyncException>(() => transport.PushAsync("device-1", [Operation(Op1)], CancellationToken.None));

        Assert.That(transport.ServerClockOffset, Is.EqualTo(TimeSpan.FromSeconds(7)));
    }

    [Test]
    public async Task PullAsync_FromCheckpoint_SendsQueryAndMapsPage()
    {
        var json = "{\"changes\":["
            + "{\"resourceType\":\"post\",\"resourceId\":\"p-1\",\"version\":4,\"data\":{\"title\":\"t\"},\"deleted\":false,\"updatedAt\":\"2026-11-25T10:00:00+00:00\",\"contentUrl\":null,\"contentSize\":null},"
            + "{\"resourceType\":\"media_attachment\",\"resourceId\":\"m/1\",\"version\":2,\"data\":null,\"deleted\":true,\"updatedAt\":\"2026-11-25T10:00:00+00:00\",\"contentUrl\":\"/sync/content/m%2F1\",\"contentSize\":123}"
            + "],\"checkpoint\":57,\"hasMore\":true}";
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, json));
        using var transport = Create(handler);

        var page = await transport.PullAsync(42, 100, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(handler.Requests.Single().Method, Is.EqualTo(HttpMethod.Get));
            Assert.That(handler.Requests.Single().Uri.PathAndQuery, Is.EqualTo("/sync/pull?since=42&limit=100"));
            Assert.That((page.Checkpoint, page.HasMore, page.Changes.Count), Is.EqualTo((57L, true, 2)));
            Assert.That(page.Changes[0], Is.EqualTo(page.Changes[0] with { ResourceType = ResourceType.Post, ResourceId = "p-1", Version = 4, Deleted = false, UpdatedAt = T0 }));
            Assert.That(page.Changes[0].Data!.ToJsonString(), Is.EqualTo("{\"title\":\"t\"}"));
            Assert.That(page.Changes[1], Is.EqualTo(new ServerChange
            {
                ResourceType = ResourceType.MediaAttachment, ResourceId = "m/1", Version = 2, Data = null, Deleted = true, UpdatedAt = T0,
                ContentUrl = "/sync/content/m%2F1", ContentSize = 123,
            }));
        });
    }

    [Test]
    public async Task PullAsync_NoCheckpoint_OmitsSince()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, "{\"changes\":[],\"checkpoint\":0,\"hasMore\":false}"));
        using var transport = Create(handler);

        var page = await transport.PullAsync(null, 500, CancellationToken.None);

        Assert.That((handler.Requests.Single().Uri.PathAndQuery, page.Changes.Count, page.Checkpoint), Is.EqualTo(("/sync/pull?limit=500", 0, 0L)));
    }

    [TestCase("{\"checkpoint\":1,\"hasMore\":false}", "'changes' is missing")]
    [TestCase("{\"changes\":[],\"hasMore\":false}", "'checkpoint' is missing")]
    [TestCase("{\"changes\":[],\"checkpoint\":1}", "'hasMore' is missing")]
    [TestCase("{\"changes\":[{\"resourceId\":\"a\",\"version\":1,\"updatedAt\":\"2026-11-25T10:00:00+00:00\"}],\"checkpoint\":1,\"hasMore\":false}", "change 0 lacks 'resourceType'")]
    [TestCase("{\"changes\":[{\"resourceType\":\"../x\",\"resourceId\":\"a\",\"version\":1,\"updatedAt\":\"2026-11-25T10:00:00+00:00\"}],\"checkpoint\":1,\"hasMore\":false}", "change 0 has an invalid 'resourceType'")]
    [TestCase("{\"changes\":[{\"resourceType\":\"post\",\"version\":1,\"updatedAt\":\"2026-11-25T10:00:00+00:00\"}],\"checkpoint\":1,\"hasMore\":false}", "change 0 lacks 'resourceId'")]
    [TestCase("{\"changes\":[{\"resourceType\":\"post\",\"resourceId\":\"a\",\"updatedAt\":\"2026-11-25T10:00:00+00:00\"}],\"checkpoint\":1,\"hasMore\":false}", "change 0 lacks 'version'")]
    [TestCase("{\"changes\":[{\"resourceType\":\"post\",\"resourceId\":\"a\",\"version\":1}],\"checkpoint\":1,\"hasMore\":false}", "change 0 lacks 'updatedAt'")]
    [TestCase("{\"changes\":[],\"checkpoint\":\"1\",\"hasMore\":false}", "not valid protocol JSON (at $.checkpoint")]
    [TestCase("{\"changes\":[{\"resourceType\":\"post\",\"resourceId\":\"a\",\"version\":1,\"updatedAt\":\"yesterday\"}],\"checkpoint\":1,\"hasMore\":false}", "not valid protocol JSON")]
    [TestCase("{\"changes\":[],\"checkpoint\":1,\"hasMo", "truncated")]
    public async Task PullAsync_MalformedAnswer_ThrowsRetryableUnknownSayingWhat(string body, string expectedDetail)
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, body)));

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PullAsync(0, 10, CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable), Is.EqualTo((SyncErrorType.Unknown, true)));
        Assert.That(ex.Error.Message, Does.Contain(expectedDetail));
    }

    [Test]
    public async Task PullAsync_InvalidArguments_ThrowNamingThem()
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, "{}")));

        var checkpoint = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => transport.PullAsync(-1, 10, CancellationToken.None));
        var limit = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => transport.PullAsync(0, 0, CancellationToken.None));

        Assert.That((checkpoint!.ParamName, limit!.ParamName), Is.EqualTo(("checkpoint", "limit")));
    }

    [Test]
    public async Task UploadContentAsync_StreamsBodyToEscapedContentRoute()
    {
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, "{\"resourceId\":\"a/b c\",\"size\":5,\"etag\":\"\\\"x\\\"\"}"));
        using var transport = Create(handler);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes("hello"));

        await transport.UploadContentAsync("a/b c", content, "image/png", CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Put));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/sync/content/a%2Fb%20c"));
            Assert.That((request.Body, request.ContentType, request.Authorization), Is.EqualTo(("hello", "image/png", "Bearer secret-token")));
            Assert.That(content.CanRead, Is.True, "the caller's stream is not disposed");
        });
    }

    [Test]
    public async Task UploadContentAsync_OverQuota_IsQuotaExceeded()
    {
        using var transport = Create(new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.RequestEntityTooLarge, "{\"error\":{\"type\":\"quota_exceeded\",\"message\":\"file too large\"}}")));
        using var content = new MemoryStream(new byte[10]);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.UploadContentAsync("f", content, null, CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.StatusCode, ex.Error.Message), Is.EqualTo((SyncErrorType.QuotaExceeded, (int?)413, "The server's storage quota would be exceeded by content upload (413): file too large")));
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowNamingTheField()
    {
        var scheduler = new TestScheduler();
        var tokens = new StaticAccessTokenProvider("t");

        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => new HttpSyncTransport(Server, tokens, scheduler, new HttpSyncTransportOptions { Timeout = TimeSpan.Zero }))!.ParamName, Is.EqualTo("Timeout"));
            Assert.That(Assert.Throws<ArgumentException>(() => new HttpSyncTransport(Server, tokens, scheduler, new HttpSyncTransportOptions { TokenRenewalMargin = TimeSpan.FromSeconds(-1) }))!.ParamName, Is.EqualTo("TokenRenewalMargin"));
            Assert.That(Assert.Throws<ArgumentException>(() => new HttpSyncTransport(new Uri("/relative", UriKind.Relative), tokens, scheduler))!.ParamName, Is.EqualTo("serverBaseUri"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new HttpSyncTransport(Server, null!, scheduler))!.ParamName, Is.EqualTo("tokenProvider"));
        });
    }

    /// <summary>A body that fails like a connection reset by the peer.</summary>
    private sealed class FailingStream : MemoryStream
    {
        public override int Read(byte[] buffer, int offset, int count) => throw new IOException("Connection reset by peer");

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromException<int>(new IOException("Connection reset by peer"));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromException<int>(new IOException("Connection reset by peer"));
    }
}
