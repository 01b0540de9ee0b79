using System.Net;
using System.Text;
using Microsoft.Reactive.Testing;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Http;

/// <summary>Token handling as seen through the transport: the header, renewal before expiry, and one retry after a 401.</summary>
public class BearerTokenHandlerTests
{
    private static readonly Uri Server = new("http://sync.test/");
    private static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private const string EmptyPage = "{\"changes\":[],\"checkpoint\":0,\"hasMore\":false}";

    private static TestScheduler SchedulerAt(DateTimeOffset now)
    {
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(now.UtcTicks);
        return scheduler;
    }

    [Test]
    public async Task SendAsync_TokenExpiringWithinMargin_RenewsBeforeSending()
    {
        var tokens = new RecordingTokenProvider((force, _) => force ? new AccessToken("fresh", T0.AddHours(1)) : new AccessToken("stale", T0.AddSeconds(30)));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, EmptyPage));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), new HttpSyncTransportOptions { TokenRenewalMargin = TimeSpan.FromMinutes(1) }, handler: handler);

        await transport.PullAsync(null, 10, CancellationToken.None);

        Assert.That((tokens.ForceRenewCalls, handler.Requests.Single().Authorization), Is.EqualTo((new[] { false, true }, "Bearer fresh")));
    }

    [Test]
    public async Task SendAsync_TokenAlreadyExpired_RenewsBeforeSending()
    {
        var tokens = new RecordingTokenProvider((force, _) => force ? new AccessToken("fresh", T0.AddHours(1)) : new AccessToken("expired", T0.AddMinutes(-5)));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, EmptyPage));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);

        await transport.PullAsync(null, 10, CancellationToken.None);

        Assert.That(handler.Requests.Single().Authorization, Is.EqualTo("Bearer fresh"));
    }

    [TestCase(120)]
    [TestCase(null)]
    public async Task SendAsync_TokenValidBeyondMarginOrWithoutExpiry_IsNotRenewed(int? expiresInSeconds)
    {
        var tokens = new RecordingTokenProvider((_, _) => new AccessToken("t", expiresInSeconds is { } s ? T0.AddSeconds(s) : null));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, EmptyPage));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);

        await transport.PullAsync(null, 10, CancellationToken.None);

        Assert.That((tokens.ForceRenewCalls, handler.Requests.Single().Authorization), Is.EqualTo((new[] { false }, "Bearer t")));
    }

    [Test]
    public async Task SendAsync_RenewalDependsOnSchedulerClock_NotWallClock()
    {
        var tokens = new RecordingTokenProvider((force, i) => new AccessToken(force ? "fresh" : "first", T0.AddMinutes(10)));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, EmptyPage));
        var scheduler = SchedulerAt(T0);
        using var transport = new HttpSyncTransport(Server, tokens, scheduler, handler: handler);

        await transport.PullAsync(null, 10, CancellationToken.None);
        scheduler.AdvanceBy(TimeSpan.FromMinutes(9.5).Ticks);
        await transport.PullAsync(null, 10, CancellationToken.None);

        Assert.That(tokens.ForceRenewCalls, Is.EqualTo(new[] { false, false, true }));
    }

    [Test]
    public async Task SendAsync_Unauthorized_RenewsOnceAndReplays()
    {
        var tokens = new RecordingTokenProvider((force, _) => new AccessToken(force ? "renewed" : "revoked"));
        var handler = new StubHttpHandler(request =>
            request.Headers.Authorization?.Parameter == "renewed"
                ? StubHttpHandler.Json(HttpStatusCode.OK, EmptyPage)
                : StubHttpHandler.Text(HttpStatusCode.Unauthorized, "no"));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);

        var page = await transport.PullAsync(null, 10, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(page.Changes, Is.Empty);
            Assert.That(tokens.ForceRenewCalls, Is.EqualTo(new[] { false, true }));
            Assert.That(handler.Requests.Select(r => r.Authorization), Is.EqualTo(new[] { "Bearer revoked", "Bearer renewed" }));
        });
    }

    [Test]
    public async Task SendAsync_UnauthorizedAfterRenewal_GivesUpWithAuthenticationError()
    {
        var tokens = new RecordingTokenProvider((force, _) => new AccessToken(force ? "renewed" : "revoked"));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Text(HttpStatusCode.Unauthorized, "no"));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PullAsync(null, 10, CancellationToken.None));

        Assert.Multiple(() =>
        {
            Assert.That((ex!.Error.Type, ex.Error.IsRetryable, ex.Error.StatusCode), Is.EqualTo((SyncErrorType.Authentication, false, (int?)401)));
            Assert.That(handler.Requests, Has.Count.EqualTo(2));
            Assert.That(tokens.ForceRenewCalls, Is.EqualTo(new[] { false, true }));
        });
    }

    [Test]
    public async Task SendAsync_Forbidden_IsNotRetried()
    {
        var tokens = new RecordingTokenProvider((_, _) => new AccessToken("t"));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Text(HttpStatusCode.Forbidden, "no"));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PullAsync(null, 10, CancellationToken.None));

        Assert.That((ex!.Error.Type, handler.Requests.Count, tokens.ForceRenewCalls.Count), Is.EqualTo((SyncErrorType.Authentication, 1, 1)));
    }

    [Test]
    public async Task SendAsync_UnauthorizedPush_ReplaysTheSameBody()
    {
        var tokens = new RecordingTokenProvider((force, _) => new AccessToken(force ? "renewed" : "revoked"));
        var id = Guid.Parse("0195f3c1-0000-7000-8000-000000000001");
        var handler = new StubHttpHandler(request =>
            request.Headers.Authorization?.Parameter == "renewed"
                ? StubHttpHandler.Json(HttpStatusCode.OK, $"{{\"results\":[{{\"operationId\":\"{id}\",\"status\":\"applied\",\"version\":1}}]}}")
                : StubHttpHandler.Text(HttpStatusCode.Unauthorized, "no"));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);
        var operation = new OfflineOperation
        {
            Id = id, Type = OperationType.Delete, ResourceType = ResourceType.Post, ResourceId = "p", CreatedAt = T0, ScheduledAt = T0, ClientTimestamp = T0,
        };

        await transport.PushAsync("device-1", [operation], CancellationToken.None);

        Assert.That(handler.Requests[1].Body, Is.EqualTo(handler.Requests[0].Body).And.Contains(id.ToString()));
    }

    [Test]
    public async Task SendAsync_UnauthorizedSeekableUpload_ReplaysTheWholeStream()
    {
        var tokens = new RecordingTokenProvider((force, _) => new AccessToken(force ? "renewed" : "revoked"));
        var handler = new StubHttpHandler(request =>
            request.Headers.Authorization?.Parameter == "renewed"
                ? StubHttpHandler.Json(HttpStatusCode.OK, "{}")
                : StubHttpHandler.Text(HttpStatusCode.Unauthorized, "no"));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);
        using var content = new MemoryStream(Encoding.UTF8.GetBytes("xxhello"));
        content.Position = 2;

        await transport.UploadContentAsync("f", content, "text/plain", CancellationToken.None);

        Assert.That(handler.Requests.Select(r => r.Body), Is.EqualTo(new[] { "hello", "hello" }));
    }

    [Test]
    public async Task SendAsync_UnauthorizedForwardOnlyUpload_IsAuthenticationErrorWithoutReplay()
    {
        var tokens = new RecordingTokenProvider((_, _) => new AccessToken("t"));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Text(HttpStatusCode.Unauthorized, "no"));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);
        using var content = new ForwardOnlyStream(Encoding.UTF8.GetBytes("hello"));

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.UploadContentAsync("f", content, null, CancellationToken.None));

        Assert.That((ex!.Error.Type, handler.Requests.Count), Is.EqualTo((SyncErrorType.Authentication, 1)));
    }

    [Test]
    public async Task SendAsync_ProviderFails_IsAuthenticationErrorAndNothingIsSent()
    {
        var tokens = new DelegateAccessTokenProvider((_, _) => throw new InvalidOperationException("refresh endpoint down"));
        var handler = new StubHttpHandler(_ => StubHttpHandler.Json(HttpStatusCode.OK, EmptyPage));
        using var transport = new HttpSyncTransport(Server, tokens, SchedulerAt(T0), handler: handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => transport.PullAsync(null, 10, CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable, handler.Requests.Count), Is.EqualTo((SyncErrorType.Authentication, false, 0)));
    }

    private sealed class ForwardOnlyStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
