using System.Net;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class PullEndpointTests
{
    private static readonly DateTimeOffset Instant = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private readonly FixedTimeProvider _clock = new(Instant);
    private TestServer _server = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await TestServer.StartAsync(options => options.TimeProvider = _clock);
        _client = _server.CreateClient();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    private static JsonObject[] Creates(string resourceType, IEnumerable<string> ids) =>
        ids.Select(id => Op("create", resourceType, id, data: new JsonObject { ["id"] = id })).ToArray();

    [Test]
    public async Task Pull_ThousandsOfRowsWithOneTimestamp_PagesWithoutSkipOrDuplicate()
    {
        var since = await _server.Store.GetLastSequenceAsync();
        var ids = Enumerable.Range(0, 3000).Select(i => $"row-{i:D5}").ToList();
        foreach (var chunk in ids.Chunk(1000))
        {
            await PushAsync(_client, "device-1", Creates("paging", chunk));
        }

        var seen = new List<string>();
        var timestamps = new HashSet<DateTimeOffset>();
        var checkpoints = new List<long>();
        var pages = 0;
        var checkpoint = since;
        while (true)
        {
            var page = await PullAsync(_client, checkpoint, 250);
            pages++;
            var changes = page["changes"]!.AsArray();
            foreach (var change in changes)
            {
                seen.Add(change!["resourceId"]!.GetValue<string>());
                timestamps.Add(change["updatedAt"]!.GetValue<DateTimeOffset>());
            }

            checkpoint = page["checkpoint"]!.GetValue<long>();
            checkpoints.Add(checkpoint);
            if (!page["hasMore"]!.GetValue<bool>())
            {
                break;
            }

            Assert.That(pages, Is.LessThan(100), "pull does not end");
        }

        Assert.Multiple(() =>
        {
            Assert.That(timestamps, Is.EqualTo(new[] { Instant }));
            Assert.That(seen, Is.EqualTo(ids));
            Assert.That(pages, Is.EqualTo(12));
            Assert.That(checkpoints, Is.Ordered.Ascending);
            Assert.That(checkpoints.Distinct().Count(), Is.EqualTo(checkpoints.Count));
        });
    }

    [Test]
    public async Task Pull_ResourceChangedTwice_AppearsOnceAtItsLatestState()
    {
        var since = await _server.Store.GetLastSequenceAsync();
        await PushAsync(
            _client,
            "device-1",
            Op("create", "twice", "a", data: new JsonObject { ["n"] = 1 }),
            Op("create", "twice", "b", data: new JsonObject { ["n"] = 1 }),
            Op("update", "twice", "a", 1, new JsonObject { ["n"] = 2 }));

        var page = await PullAsync(_client, since);

        var changes = page["changes"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(changes.Select(c => c!["resourceId"]!.GetValue<string>()), Is.EqualTo(new[] { "b", "a" }));
            Assert.That(changes[1]!["version"]!.GetValue<long>(), Is.EqualTo(2));
            Assert.That(changes[1]!["data"]!["n"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(page["checkpoint"]!.GetValue<long>(), Is.EqualTo(since + 3));
            Assert.That(page["hasMore"]!.GetValue<bool>(), Is.False);
        });
    }

    [Test]
    public async Task Pull_Change_HasTheProtocolShape()
    {
        var since = await _server.Store.GetLastSequenceAsync();
        await PushAsync(_client, "device-1", Op("create", "shape", "s1", data: new JsonObject { ["title"] = "t" }));

        var change = (await PullAsync(_client, since))["changes"]![0]!.AsObject();

        Assert.Multiple(() =>
        {
            Assert.That(change.Select(p => p.Key), Is.EquivalentTo(new[] { "resourceType", "resourceId", "version", "data", "deleted", "updatedAt", "contentUrl", "contentSize" }));
            Assert.That(change["resourceType"]!.GetValue<string>(), Is.EqualTo("shape"));
            Assert.That(change["deleted"]!.GetValue<bool>(), Is.False);
            Assert.That(change["contentUrl"], Is.Null);
            Assert.That(change["updatedAt"]!.GetValue<string>(), Does.EndWith("+00:00"));
        });
    }

    [Test]
    public async Task Pull_DeletedResource_ShowsDeletedWithNullData()
    {
        await PushAsync(_client, "device-1", Op("create", "gone", "g1", data: new JsonObject { ["x"] = 1 }));
        var since = await _server.Store.GetLastSequenceAsync();
        await PushAsync(_client, "device-1", Op("delete", "gone", "g1", 1));

        var change = (await PullAsync(_client, since))["changes"]![0]!;

        Assert.Multiple(() =>
        {
            Assert.That(change["deleted"]!.GetValue<bool>(), Is.True);
            Assert.That(change["data"], Is.Null);
            Assert.That(change["version"]!.GetValue<long>(), Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Pull_NothingNew_AnswersEmptyWithSinceAsCheckpoint()
    {
        var since = await _server.Store.GetLastSequenceAsync();

        var page = await PullAsync(_client, since);

        Assert.Multiple(() =>
        {
            Assert.That(page["changes"]!.AsArray(), Is.Empty);
            Assert.That(page["checkpoint"]!.GetValue<long>(), Is.EqualTo(since));
            Assert.That(page["hasMore"]!.GetValue<bool>(), Is.False);
        });
    }

    [Test]
    public async Task Pull_WithoutLimit_AnswersAtMost500AndLimitAbove5000IsCapped()
    {
        var since = await _server.Store.GetLastSequenceAsync();
        await PushAsync(_client, "device-1", Creates("capped", Enumerable.Range(0, 5001).Select(i => $"c{i}")));

        var defaultPage = await PullAsync(_client, since);
        var cappedPage = await PullAsync(_client, since, 100_000);

        Assert.Multiple(() =>
        {
            Assert.That(defaultPage["changes"]!.AsArray(), Has.Count.EqualTo(500));
            Assert.That(defaultPage["hasMore"]!.GetValue<bool>(), Is.True);
            Assert.That(cappedPage["changes"]!.AsArray(), Has.Count.EqualTo(5000));
            Assert.That(cappedPage["hasMore"]!.GetValue<bool>(), Is.True);
        });
    }

    [TestCase("sync/pull?since=-1", TestName = "Pull_NegativeSince_Answers400")]
    [TestCase("sync/pull?since=abc", TestName = "Pull_NonNumericSince_Answers400")]
    [TestCase("sync/pull?limit=0", TestName = "Pull_ZeroLimit_Answers400")]
    public async Task Pull_InvalidQuery_Answers400(string url)
    {
        using var response = await _client.GetAsync(url);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await ErrorTypeAsync(response), Is.EqualTo("validation"));
        });
    }

    [Test]
    public async Task Pull_WithoutSince_StartsAtZero()
    {
        await PushAsync(_client, "device-1", Op("create", "fromzero", "z", data: new JsonObject()));

        using var response = await _client.GetAsync("sync/pull?limit=1");
        var page = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.That(page["checkpoint"]!.GetValue<long>(), Is.EqualTo(1));
    }
}
