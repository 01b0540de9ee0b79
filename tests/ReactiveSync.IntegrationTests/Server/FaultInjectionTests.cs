using Microsoft.Extensions.Time.Testing;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Server.Faults;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class FaultInjectionTests
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

    [TearDown]
    public void TurnFaultsOff() => _server.Options.Faults.Disable();

    private async Task<string> OutcomeAsync(string url)
    {
        try
        {
            using var response = await _client.GetAsync(url);
            return ((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException)
        {
            return "abort";
        }
    }

    private async Task<List<string>> OutcomesAsync(int count)
    {
        var outcomes = new List<string>();
        for (var i = 0; i < count; i++)
        {
            outcomes.Add(await OutcomeAsync("sync/pull?limit=1"));
        }

        return outcomes;
    }

    [Test]
    public async Task Faults_ByDefault_AreOff()
    {
        var faults = _server.Options.Faults;
        var before = _server.Metrics.FaultsInjected;

        var outcomes = await OutcomesAsync(30);

        Assert.Multiple(() =>
        {
            Assert.That(faults.IsEnabled, Is.False);
            Assert.That(faults.ServerErrorRate, Is.Zero);
            Assert.That(faults.TooManyRequestsRate, Is.Zero);
            Assert.That(faults.AbortRate, Is.Zero);
            Assert.That(faults.Latency, Is.EqualTo(TimeSpan.Zero));
            Assert.That(outcomes, Is.All.EqualTo("200"));
            Assert.That(_server.Metrics.FaultsInjected, Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Faults_WithSameSeed_RepeatTheSameSequence()
    {
        var faults = _server.Options.Faults;
        faults.ServerErrorRate = 0.3;
        faults.TooManyRequestsRate = 0.1;
        faults.AbortRate = 0.1;

        faults.Seed = 42;
        var first = await OutcomesAsync(60);
        faults.Seed = 42;
        var second = await OutcomesAsync(60);
        faults.Seed = 43;
        var other = await OutcomesAsync(60);

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(other, Is.Not.EqualTo(first));
            Assert.That(first, Does.Contain("200").And.Contain("500").And.Contain("503").And.Contain("429").And.Contain("abort"));
        });
    }

    [Test]
    public async Task Faults_TooManyRequests_CarryRetryAfterAndNetworkError()
    {
        _server.Options.Faults.TooManyRequestsRate = 1;
        _server.Options.Faults.RetryAfterSeconds = 7;

        using var response = await _client.GetAsync("sync/pull");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TooManyRequests));
            Assert.That(response.Headers.RetryAfter!.Delta, Is.EqualTo(TimeSpan.FromSeconds(7)));
            Assert.That(await ErrorTypeAsync(response), Is.EqualTo("network"));
        });
    }

    [Test]
    public async Task Faults_ServerErrors_AreNotApplied()
    {
        _server.Options.Faults.ServerErrorRate = 1;
        var id = Guid.NewGuid().ToString("N");

        using var response = await PostPushAsync(_client, PushBody("d", Op("create", "post", id, data: new JsonObject())));

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(500).Or.EqualTo(503));
            Assert.That(await _server.Store.GetResourceAsync("post", id), Is.Null);
        });
    }

    [Test]
    public async Task Faults_AbortedPush_IsAppliedAndItsReplayAnswersDuplicate()
    {
        _server.Options.Faults.AbortRate = 1;
        var op = Op("create", "post", Guid.NewGuid().ToString("N"), data: new JsonObject { ["t"] = 1 });

        await Assert.ThrowsAsync<HttpRequestException>(async () => await PostPushAsync(_client, PushBody("d", op)));
        _server.Options.Faults.AbortRate = 0;
        var replay = await PushOneAsync(_client, "d", op);

        Assert.Multiple(async () =>
        {
            Assert.That(replay["status"]!.GetValue<string>(), Is.EqualTo("duplicate"));
            Assert.That(replay["version"]!.GetValue<long>(), Is.EqualTo(1));
            Assert.That((await _server.Store.GetResourceAsync("post", op["resourceId"]!.GetValue<string>()))!.Version, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Faults_AbortAfterBytes_CutsContentThereAndRangeResumesTheRest()
    {
        var id = Guid.NewGuid().ToString("N");
        var bytes = new byte[200_000];
        new Random(5).NextBytes(bytes);
        using (var put = await PutContentAsync(_client, id, bytes))
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var served = _server.Metrics.ContentBytesServed;
        _server.Options.Faults.AbortRate = 1;
        _server.Options.Faults.AbortAfterBytes = 50_000;
        var received = new MemoryStream();
        try
        {
            using var response = await _client.GetAsync(ContentPath(id), HttpCompletionOption.ResponseHeadersRead);
            await using var body = await response.Content.ReadAsStreamAsync();
            await body.CopyToAsync(received);
            Assert.Fail("the response should have been cut");
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
        }

        var cutServed = _server.Metrics.ContentBytesServed - served;
        _server.Options.Faults.Disable();
        using var rest = new HttpRequestMessage(HttpMethod.Get, ContentPath(id)) { Headers = { Range = new(received.Length, null) } };
        using var restResponse = await _client.SendAsync(rest);
        var restBytes = await restResponse.Content.ReadAsByteArrayAsync();

        Assert.Multiple(() =>
        {
            Assert.That(cutServed, Is.EqualTo(50_000));
            Assert.That(received.Length, Is.LessThanOrEqualTo(50_000));
            Assert.That(restResponse.StatusCode, Is.EqualTo(HttpStatusCode.PartialContent));
            Assert.That(received.ToArray().Concat(restBytes), Is.EqualTo(bytes));
        });
    }

    [Test]
    public async Task Faults_Latency_DelaysSyncRequestsOnTheServerClock()
    {
        var clock = new RecordingTimeProvider();
        await using var server = await TestServer.StartAsync(options => options.TimeProvider = clock);
        server.Options.Faults.Latency = TimeSpan.FromMilliseconds(300);
        using var client = server.CreateClient();

        var request = client.GetAsync("sync/pull?limit=1");
        await Eventually.WaitAsync(() => clock.DueTimes.Contains(TimeSpan.FromMilliseconds(300)), "the server waits 300 ms on its clock",
            lastSeen: () => string.Join(", ", clock.DueTimes));
        var doneBeforeTheClockMoved = request.IsCompleted;
        clock.Advance(TimeSpan.FromMilliseconds(300));
        using var response = await request.WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Multiple(() =>
        {
            Assert.That(doneBeforeTheClockMoved, Is.False, "the answer waited for the server's clock");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    /// <summary>A fake clock that also records the due time of every timer the server creates on it.</summary>
    private sealed class RecordingTimeProvider : FakeTimeProvider
    {
        private readonly System.Collections.Concurrent.ConcurrentQueue<TimeSpan> _dueTimes = new();

        public IReadOnlyCollection<TimeSpan> DueTimes => _dueTimes;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            _dueTimes.Enqueue(dueTime);
            return base.CreateTimer(callback, state, dueTime, period);
        }
    }

    [Test]
    public async Task Faults_NeverApplyToHealth()
    {
        _server.Options.Faults.ServerErrorRate = 1;

        using var response = await _client.GetAsync("health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public void FaultOptions_RateOutsideZeroToOne_Throws()
    {
        var faults = new FaultInjectionOptions();

        Assert.Multiple(() =>
        {
            Assert.That(() => faults.ServerErrorRate = 1.5, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("ServerErrorRate"));
            Assert.That(() => faults.AbortRate = -0.1, Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("AbortRate"));
        });
    }
}
