using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class ContentEndpointTests
{
    private TestServer _server = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestServer.StartAsync();
        _client = _server.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [SetUp]
    public void ResetLimits() => _server.Options.MaxContentBytes = 1024L * 1024 * 1024;

    private static byte[] Bytes(int length, int seed = 1)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private async Task<string> PutAsync(string id, byte[] bytes, string contentType = "application/pdf")
    {
        using var response = await PutContentAsync(_client, id, bytes, contentType);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!["etag"]!.GetValue<string>();
    }

    [Test]
    public async Task Put_Content_AnswersIdSizeAndQuotedEtag()
    {
        var id = Guid.NewGuid().ToString("N");
        using var response = await PutContentAsync(_client, id, Bytes(1000));

        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.Select(p => p.Key), Is.EquivalentTo(new[] { "resourceId", "size", "etag" }));
            Assert.That(body["resourceId"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(body["size"]!.GetValue<long>(), Is.EqualTo(1000));
            Assert.That(body["etag"]!.GetValue<string>(), Does.StartWith("\"").And.EndWith("\"").And.Length.GreaterThan(10));
        });
    }

    [Test]
    public async Task Get_Content_AnswersBytesWithStrongEtagAndRangeSupport()
    {
        var id = Guid.NewGuid().ToString("N");
        var bytes = Bytes(300_000);
        var etag = await PutAsync(id, bytes);

        using var response = await _client.GetAsync(ContentPath(id));
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body, Is.EqualTo(bytes));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo(etag));
            Assert.That(response.Headers.ETag.IsWeak, Is.False);
            Assert.That(response.Headers.AcceptRanges, Is.EquivalentTo(new[] { "bytes" }));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(bytes.Length));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/pdf"));
            Assert.That(response.Content.Headers.ContentEncoding, Is.Empty);
        });
    }

    [Test]
    public async Task Head_Content_AnswersHeadersWithoutBody()
    {
        var id = Guid.NewGuid().ToString("N");
        var etag = await PutAsync(id, Bytes(12_345));
        var servedBefore = _server.Metrics.ContentBytesServed;

        using var request = new HttpRequestMessage(HttpMethod.Head, ContentPath(id));
        using var response = await _client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(12_345));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo(etag));
            Assert.That(response.Headers.AcceptRanges, Is.EquivalentTo(new[] { "bytes" }));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(_server.Metrics.ContentBytesServed, Is.EqualTo(servedBefore));
        });
    }

    [Test]
    public async Task Get_RangeFromOffset_Answers206WithTheRestAndCountsOnlyThoseBytes()
    {
        var id = Guid.NewGuid().ToString("N");
        var bytes = Bytes(100_000);
        var etag = await PutAsync(id, bytes);
        var servedBefore = _server.Metrics.ContentBytesServed;

        using var request = new HttpRequestMessage(HttpMethod.Get, ContentPath(id));
        request.Headers.Range = new RangeHeaderValue(60_000, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue(etag));
        request.Headers.AcceptEncoding.ParseAdd("identity");
        using var response = await _client.SendAsync(request);
        var body = await response.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(response.Content.Headers.ContentRange!.ToString(), Is.EqualTo("bytes 60000-99999/100000"));
            Assert.That(response.Content.Headers.ContentLength, Is.EqualTo(40_000));
            Assert.That(body, Is.EqualTo(bytes[60_000..]));
            Assert.That(_server.Metrics.ContentBytesServed - servedBefore, Is.EqualTo(40_000));
        });
    }

    [Test]
    public async Task Get_ClosedAndSuffixRanges_Answer206WithThoseBytes()
    {
        var id = Guid.NewGuid().ToString("N");
        var bytes = Bytes(1000);
        await PutAsync(id, bytes);

        using var closed = new HttpRequestMessage(HttpMethod.Get, ContentPath(id)) { Headers = { Range = new RangeHeaderValue(10, 19) } };
        using var closedResponse = await _client.SendAsync(closed);
        using var suffix = new HttpRequestMessage(HttpMethod.Get, ContentPath(id)) { Headers = { Range = new RangeHeaderValue(null, 100) } };
        using var suffixResponse = await _client.SendAsync(suffix);

        Assert.Multiple(async () =>
        {
            Assert.That(closedResponse.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(await closedResponse.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[10..20]));
            Assert.That(suffixResponse.Content.Headers.ContentRange!.ToString(), Is.EqualTo("bytes 900-999/1000"));
            Assert.That(await suffixResponse.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes[900..]));
        });
    }

    [Test]
    public async Task Get_IfRangeWithOldEtag_Answers200WithTheWholeNewFile()
    {
        var id = Guid.NewGuid().ToString("N");
        var oldEtag = await PutAsync(id, Bytes(5000, seed: 1));
        var newBytes = Bytes(6000, seed: 2);
        var newEtag = await PutAsync(id, newBytes);

        using var request = new HttpRequestMessage(HttpMethod.Get, ContentPath(id));
        request.Headers.Range = new RangeHeaderValue(2500, null);
        request.Headers.IfRange = new RangeConditionHeaderValue(new EntityTagHeaderValue(oldEtag));
        using var response = await _client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(newEtag, Is.Not.EqualTo(oldEtag));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo(newEtag));
            Assert.That(response.Content.Headers.ContentRange, Is.Null);
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(newBytes));
        });
    }

    [Test]
    public async Task Get_RangeBeyondEnd_Answers416()
    {
        var id = Guid.NewGuid().ToString("N");
        await PutAsync(id, Bytes(100));

        using var request = new HttpRequestMessage(HttpMethod.Get, ContentPath(id)) { Headers = { Range = new RangeHeaderValue(100, null) } };
        using var response = await _client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestedRangeNotSatisfiable));
            Assert.That(response.Content.Headers.ContentRange!.ToString(), Is.EqualTo("bytes */100"));
        });
    }

    [Test]
    public async Task Get_NoContent_Answers404()
    {
        using var response = await _client.GetAsync(ContentPath("never-uploaded"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(await ErrorTypeAsync(response), Is.EqualTo("validation"));
        });
    }

    [Test]
    public async Task Put_OverSizeLimit_Answers413AndStoresNothing()
    {
        _server.Options.MaxContentBytes = 1000;
        var id = Guid.NewGuid().ToString("N");

        using var response = await PutContentAsync(_client, id, Bytes(1001));
        using var get = await _client.GetAsync(ContentPath(id));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(await ErrorTypeAsync(response), Is.EqualTo("quota_exceeded"));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(Directory.GetFiles(Path.Combine(_server.DataDirectory, "content"), "*.tmp"), Is.Empty);
        });
    }

    [Test]
    public async Task Put_ChunkedOverSizeLimit_Answers413AndLeavesNoTempFile()
    {
        _server.Options.MaxContentBytes = 1000;
        var id = Guid.NewGuid().ToString("N");
        using var content = new StreamContent(new MemoryStream(Bytes(5000)));
        using var request = new HttpRequestMessage(HttpMethod.Put, ContentPath(id)) { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await _client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
            Assert.That(Directory.GetFiles(Path.Combine(_server.DataDirectory, "content"), "*.tmp"), Is.Empty);
        });
    }

    [TestCase("../../etc/passwd")]
    [TestCase("/etc/passwd")]
    [TestCase("CON")]
    [TestCase("a/b\\c:d?e#f%20 g")]
    [TestCase("ünïcödé-🙂")]
    public async Task Put_HostileResourceId_RoundTripsAndStaysInsideContentRoot(string id)
    {
        var bytes = Bytes(64, seed: id.Length);
        var etag = await PutAsync(id, bytes);

        using var response = await _client.GetAsync(ContentPath(id));

        var root = Path.Combine(_server.DataDirectory, "content");
        var everyFile = Directory.GetFiles(_server.DataDirectory, "*", SearchOption.AllDirectories);
        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Headers.ETag!.Tag, Is.EqualTo(etag));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
            Assert.That(
                everyFile.Where(f => Path.GetDirectoryName(f) != root).Select(Path.GetFileName),
                Is.SubsetOf(new[] { "server.db", "server.db-wal", "server.db-shm" }));
            Assert.That(Directory.GetFiles(root).Select(Path.GetFileName), Has.All.Match("^[0-9a-f]{64}-[0-9a-f]{32}\\.bin$"));
        });
    }

    [Test]
    public async Task Put_DotDotResourceId_IsNotRoutedAndWritesNothing()
    {
        // ".." is a dot segment in a URL path: clients normalize it away, so it never reaches the content route.
        var filesBefore = Directory.GetFiles(_server.DataDirectory, "*", SearchOption.AllDirectories).Length;
        var parentFilesBefore = Directory.GetFiles(Path.GetDirectoryName(_server.DataDirectory)!).Length;

        using var response = await PutContentAsync(_client, "..", Bytes(10));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.Not.EqualTo(HttpStatusCode.OK));
            Assert.That(Directory.GetFiles(_server.DataDirectory, "*", SearchOption.AllDirectories), Has.Length.EqualTo(filesBefore));
            Assert.That(Directory.GetFiles(Path.GetDirectoryName(_server.DataDirectory)!), Has.Length.EqualTo(parentFilesBefore));
        });
    }

    [Test]
    public async Task Put_VeryLongResourceId_RoundTrips()
    {
        var id = new string('x', 2000);
        var bytes = Bytes(10);
        await PutAsync(id, bytes);

        using var response = await _client.GetAsync(ContentPath(id));

        Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes));
    }

    [Test]
    public async Task Put_ForExistingResource_MovesItToANewSequenceWithContentInfoInPull()
    {
        var id = "file/" + Guid.NewGuid().ToString("N");
        await PushAsync(_client, "device-1", Op("create", "resource", id, data: new JsonObject { ["name"] = "a.pdf" }));
        var since = await _server.Store.GetLastSequenceAsync();

        await PutAsync(id, Bytes(4321));
        var page = await PullAsync(_client, since);

        var change = page["changes"]!.AsArray().Single(c => c!["resourceId"]!.GetValue<string>() == id)!;
        Assert.Multiple(async () =>
        {
            Assert.That(change["contentUrl"]!.GetValue<string>(), Is.EqualTo("/sync/content/" + Uri.EscapeDataString(id)));
            Assert.That(change["contentSize"]!.GetValue<long>(), Is.EqualTo(4321));
            Assert.That(change["version"]!.GetValue<long>(), Is.EqualTo(1));
            using var viaUrl = await _client.GetAsync(change["contentUrl"]!.GetValue<string>().TrimStart('/'));
            Assert.That(viaUrl.Content.Headers.ContentLength, Is.EqualTo(4321));
        });
    }

    [Test]
    public async Task Put_BeforeResourceExists_ShowsContentInfoOnceUploadOperationCreatesIt()
    {
        var id = Guid.NewGuid().ToString("N");
        await PutAsync(id, Bytes(777));
        var since = await _server.Store.GetLastSequenceAsync();

        var upload = await PushOneAsync(_client, "device-1", Op("upload", "media_attachment", id, data: new JsonObject { ["name"] = "photo.jpg" }));
        var change = (await PullAsync(_client, since))["changes"]![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(upload["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(upload["version"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That(change["resourceId"]!.GetValue<string>(), Is.EqualTo(id));
            Assert.That(change["contentSize"]!.GetValue<long>(), Is.EqualTo(777));
            Assert.That(change["data"]!["name"]!.GetValue<string>(), Is.EqualTo("photo.jpg"));
        });
    }

    [Test]
    public async Task Put_Content_CountsBytesReceived()
    {
        var before = _server.Metrics.ContentBytesReceived;

        await PutAsync(Guid.NewGuid().ToString("N"), Bytes(2048));

        Assert.That(_server.Metrics.ContentBytesReceived - before, Is.EqualTo(2048));
    }
}
