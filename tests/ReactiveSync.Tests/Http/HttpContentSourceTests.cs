using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Reactive.Testing;
using ReactiveSync.Http;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Http;

public class HttpContentSourceTests
{
    private static readonly Uri Server = new("http://sync.test/");
    private const string StrongTag = "\"v1\"";

    private static HttpContentSource Create(StubHttpHandler handler, TestScheduler? scheduler = null, HttpSyncTransportOptions? options = null) =>
        new(Server, new StaticAccessTokenProvider("secret-token"), scheduler ?? new TestScheduler(), options, handler: handler);

    private static HttpResponseMessage Bytes(HttpStatusCode status, byte[] body, string? eTag = StrongTag, bool weak = false)
    {
        var response = new HttpResponseMessage(status) { Content = new ByteArrayContent(body) };
        if (eTag is not null)
        {
            response.Headers.ETag = new EntityTagHeaderValue(eTag, weak);
        }

        return response;
    }

    private static HttpResponseMessage Range(long from, byte[] body, long total, string eTag = StrongTag)
    {
        var response = Bytes(HttpStatusCode.PartialContent, body, eTag);
        response.Content.Headers.ContentRange = new ContentRangeHeaderValue(from, from + body.Length - 1, total);
        return response;
    }

    private static async Task<string> ReadAllAsync(Stream stream)
    {
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return await reader.ReadToEndAsync();
    }

    [Test]
    public async Task GetInfoAsync_Head_AnswersLengthAndStrongETag()
    {
        var handler = new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, new byte[1234]));
        using var source = Create(handler);

        var info = await source.GetInfoAsync("doc 1", CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(info, Is.EqualTo(new ReactiveSync.Downloads.ContentInfo(1234, StrongTag, true)));
            Assert.That(handler.Requests.Single().Method, Is.EqualTo(HttpMethod.Head));
            Assert.That(handler.Requests.Single().Uri.AbsolutePath, Is.EqualTo("/sync/content/doc%201"));
            Assert.That(handler.Requests.Single().Authorization, Is.EqualTo("Bearer secret-token"));
        });
    }

    [Test]
    public async Task GetInfoAsync_WeakETag_IsNotStrong()
    {
        using var source = Create(new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, new byte[3], weak: true)));

        var info = await source.GetInfoAsync("doc", CancellationToken.None);

        Assert.That((info.ETag, info.IsStrongETag), Is.EqualTo(("W/\"v1\"", false)));
    }

    [Test]
    public async Task GetInfoAsync_NoContent_IsUnknownNotRetryable404()
    {
        using var source = Create(new StubHttpHandler(_ => StubHttpHandler.Text(HttpStatusCode.NotFound, "none")));

        var ex = await Assert.ThrowsAsync<SyncException>(() => source.GetInfoAsync("doc", CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable, ex.Error.StatusCode), Is.EqualTo((SyncErrorType.Unknown, false, (int?)404)));
    }

    [Test]
    public async Task OpenReadAsync_FromStart_AsksWholeContentInIdentityEncoding()
    {
        var handler = new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, Encoding.UTF8.GetBytes("hello world")));
        using var source = Create(handler);

        await using var response = await source.OpenReadAsync("a/b", 0, null, CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Multiple(async () =>
        {
            Assert.That(request.Method, Is.EqualTo(HttpMethod.Get));
            Assert.That(request.Uri.AbsolutePath, Is.EqualTo("/sync/content/a%2Fb"));
            Assert.That(request.Headers["Accept-Encoding"], Is.EqualTo("identity"));
            Assert.That(request.Headers.ContainsKey("Range") || request.Headers.ContainsKey("If-Range"), Is.False);
            Assert.That((response.Offset, response.TotalLength, response.ETag, response.IsStrongETag, response.IsPartial), Is.EqualTo((0L, (long?)11, StrongTag, true, false)));
            Assert.That(await ReadAllAsync(response.Content), Is.EqualTo("hello world"));
        });
    }

    [Test]
    public async Task OpenReadAsync_ResumeWithStrongETag_SendsRangeAndIfRangeAndMaps206()
    {
        var handler = new StubHttpHandler(_ => Range(6, Encoding.UTF8.GetBytes("world"), 11));
        using var source = Create(handler);

        await using var response = await source.OpenReadAsync("doc", 6, StrongTag, CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.Multiple(async () =>
        {
            Assert.That((request.Headers["Range"], request.Headers["If-Range"], request.Headers["Accept-Encoding"]), Is.EqualTo(("bytes=6-", StrongTag, "identity")));
            Assert.That((response.Offset, response.TotalLength, response.IsPartial, response.ETag), Is.EqualTo((6L, (long?)11, true, StrongTag)));
            Assert.That(await ReadAllAsync(response.Content), Is.EqualTo("world"));
        });
    }

    [Test]
    public async Task OpenReadAsync_ServerCopyChanged_200WholeContentHasOffsetZero()
    {
        // If-Range did not match: the server sends the new file whole, with its new tag.
        var handler = new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, Encoding.UTF8.GetBytes("brand new"), "\"v2\""));
        using var source = Create(handler);

        await using var response = await source.OpenReadAsync("doc", 6, StrongTag, CancellationToken.None);

        Assert.Multiple(async () =>
        {
            Assert.That(handler.Requests.Single().Headers["If-Range"], Is.EqualTo(StrongTag));
            Assert.That((response.Offset, response.IsPartial, response.TotalLength, response.ETag), Is.EqualTo((0L, false, (long?)9, "\"v2\"")));
            Assert.That(await ReadAllAsync(response.Content), Is.EqualTo("brand new"));
        });
    }

    [TestCase(null)]
    [TestCase("W/\"v1\"")]
    public async Task OpenReadAsync_ResumeWithoutStrongETag_AsksWholeContent(string? eTag)
    {
        var handler = new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, new byte[11]));
        using var source = Create(handler);

        await using var response = await source.OpenReadAsync("doc", 6, eTag, CancellationToken.None);

        var request = handler.Requests.Single();
        Assert.That((request.Headers.ContainsKey("Range"), request.Headers.ContainsKey("If-Range"), response.Offset), Is.EqualTo((false, false, 0L)));
    }

    [Test]
    public async Task OpenReadAsync_RangeNotSatisfiable_AsksWholeContentAgain()
    {
        var handler = new StubHttpHandler((_, i) => i == 0
            ? StubHttpHandler.Text(HttpStatusCode.RequestedRangeNotSatisfiable, "")
            : Bytes(HttpStatusCode.OK, Encoding.UTF8.GetBytes("short")));
        using var source = Create(handler);

        await using var response = await source.OpenReadAsync("doc", 100, StrongTag, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(handler.Requests.Select(r => r.Headers.GetValueOrDefault("Range")), Is.EqualTo(new[] { "bytes=100-", null }));
            Assert.That((response.Offset, response.TotalLength), Is.EqualTo((0L, (long?)5)));
        });
    }

    [Test]
    public async Task OpenReadAsync_RangeStartingElsewhere_IsMalformed()
    {
        using var source = Create(new StubHttpHandler(_ => Range(0, new byte[11], 11)));

        var ex = await Assert.ThrowsAsync<SyncException>(() => source.OpenReadAsync("doc", 6, StrongTag, CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable, ex.Error.StatusCode), Is.EqualTo((SyncErrorType.Unknown, true, (int?)206)));
        Assert.That(ex.Error.Message, Does.Contain("starting at byte 0 where 6 was asked for"));
    }

    [Test]
    public async Task OpenReadAsync_206WithoutContentRange_IsMalformed()
    {
        using var source = Create(new StubHttpHandler(_ => Bytes(HttpStatusCode.PartialContent, new byte[5])));

        var ex = await Assert.ThrowsAsync<SyncException>(() => source.OpenReadAsync("doc", 6, StrongTag, CancellationToken.None));

        Assert.That(ex!.Error.Message, Does.Contain("206 without a byte Content-Range"));
    }

    [Test]
    public async Task OpenReadAsync_ReturnsBeforeTheBodyIsRead()
    {
        var body = new CountingStream(new byte[1 << 20]);
        var handler = new StubHttpHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(body) });
        using var source = Create(handler);

        await using var response = await source.OpenReadAsync("doc", 0, null, CancellationToken.None);
        var readBeforeConsuming = body.BytesRead;
        var buffer = new byte[4096];
        var firstRead = await response.Content.ReadAsync(buffer);

        Assert.That((readBeforeConsuming, firstRead), Is.EqualTo((0L, 4096)));
    }

    [Test]
    public async Task OpenReadAsync_ConnectionCutWhileReading_ThrowsRetryableNetworkSyncException()
    {
        var handler = new StubHttpHandler(_ => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new CountingStream(new byte[100], failAfter: 10)) });
        using var source = Create(handler);
        await using var response = await source.OpenReadAsync("doc", 0, null, CancellationToken.None);
        var buffer = new byte[10];
        await response.Content.ReadExactlyAsync(buffer);

        var ex = await Assert.ThrowsAsync<SyncException>(async () => await response.Content.ReadExactlyAsync(buffer));

        Assert.That((ex!.Error.Type, ex.Error.IsRetryable), Is.EqualTo((SyncErrorType.Network, true)));
        Assert.That(ex.InnerException, Is.InstanceOf<IOException>());
    }

    [Test]
    public async Task OpenReadAsync_HeadersNotAnsweredInTime_IsNetworkTimeout()
    {
        var scheduler = new TestScheduler();
        using var source = Create(new StubHttpHandler((_, _, ct) => StubHttpHandler.HangUntilCancelled(ct)), scheduler, new HttpSyncTransportOptions { Timeout = TimeSpan.FromSeconds(5) });

        var open = source.OpenReadAsync("doc", 0, null, CancellationToken.None);
        scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);

        var ex = await Assert.ThrowsAsync<SyncException>(() => open);
        Assert.That((ex!.Error.Type, ex.Error.IsRetryable), Is.EqualTo((SyncErrorType.Network, true)));
    }

    [Test]
    public async Task OpenReadAsync_TimeoutAfterHeaders_DoesNotCutTheBody()
    {
        var scheduler = new TestScheduler();
        using var source = Create(new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, Encoding.UTF8.GetBytes("slow reader"))), scheduler, new HttpSyncTransportOptions { Timeout = TimeSpan.FromSeconds(5) });

        await using var response = await source.OpenReadAsync("doc", 0, null, CancellationToken.None);
        scheduler.AdvanceBy(TimeSpan.FromMinutes(5).Ticks);

        Assert.That(await ReadAllAsync(response.Content), Is.EqualTo("slow reader"));
    }

    [Test]
    public async Task OpenReadAsync_ServerError_IsClassifiedLikeTheTransport()
    {
        var handler = new StubHttpHandler(_ =>
        {
            var response = StubHttpHandler.Text(HttpStatusCode.ServiceUnavailable, "busy");
            response.Headers.RetryAfter = new RetryConditionHeaderValue(TimeSpan.FromSeconds(3));
            return response;
        });
        using var source = Create(handler);

        var ex = await Assert.ThrowsAsync<SyncException>(() => source.OpenReadAsync("doc", 0, null, CancellationToken.None));

        Assert.That((ex!.Error.Type, ex.Error.RetryAfter, ex.Error.StatusCode), Is.EqualTo((SyncErrorType.Network, (TimeSpan?)TimeSpan.FromSeconds(3), (int?)503)));
    }

    [Test]
    public async Task ContentSource_OfTransport_SharesItsCredentialsAndClock()
    {
        var scheduler = new TestScheduler();
        var handler = new StubHttpHandler(_ =>
        {
            var response = Bytes(HttpStatusCode.OK, new byte[1]);
            response.Headers.Date = new DateTimeOffset(scheduler.Now.UtcTicks, TimeSpan.Zero).AddSeconds(30);
            return response;
        });
        using var transport = new HttpSyncTransport(Server, new StaticAccessTokenProvider("shared"), scheduler, handler: handler);

        await transport.ContentSource.GetInfoAsync("doc", CancellationToken.None);

        Assert.That((handler.Requests.Single().Authorization, transport.ServerClockOffset), Is.EqualTo(("Bearer shared", TimeSpan.FromSeconds(30))));
    }

    [Test]
    public async Task OpenReadAsync_NegativeOffset_ThrowsNamingIt()
    {
        using var source = Create(new StubHttpHandler(_ => Bytes(HttpStatusCode.OK, new byte[1])));

        var ex = await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => source.OpenReadAsync("doc", -1, null, CancellationToken.None));

        Assert.That(ex!.ParamName, Is.EqualTo("offset"));
    }

    /// <summary>A body that counts what was read from it and can fail like a reset connection.</summary>
    private sealed class CountingStream(byte[] bytes, int failAfter = int.MaxValue) : MemoryStream(bytes)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Count(base.Read(buffer, offset, Math.Min(count, Allowed())));

        public override int Read(Span<byte> buffer) => Count(base.Read(buffer[..Math.Min(buffer.Length, Allowed())]));

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        private int Allowed() => BytesRead >= failAfter ? throw new IOException("Connection reset by peer") : (int)Math.Min(int.MaxValue, failAfter - BytesRead);

        private int Count(int read)
        {
            BytesRead += read;
            return read;
        }
    }
}
