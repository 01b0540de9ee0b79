using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Model;
using ReactiveSync.Server;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// Oversize payloads and hostile resource ids. Payloads above <see cref="SyncConfiguration.MaxOperationDataBytes"/> are
/// refused at queue time; ids that cannot travel faithfully (blank, too long, NUL, unpaired surrogates) are refused at
/// queue time; every other id — path traversal, dot segments, control characters, markup, SQL, bidi unicode — is
/// synced to the server and pulled back byte for byte. A push the server finds too large (413) fails only the
/// operation that is too large, kept as Failed with QuotaExceeded, never lost.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Reliability")]
public sealed class HostileInputTests
{
    private TestServer _server = null!;

    /// <summary>Ids that must sync faithfully to the server and back.</summary>
    public static IEnumerable<TestCaseData> FaithfulIds()
    {
        yield return new TestCaseData("../../etc/passwd").SetName("{m}(path traversal)");
        yield return new TestCaseData(@"..\..\windows\win.ini").SetName("{m}(backslash traversal)");
        yield return new TestCaseData(".").SetName("{m}(dot)");
        yield return new TestCaseData("..").SetName("{m}(dot dot)");
        yield return new TestCaseData("/").SetName("{m}(slash)");
        yield return new TestCaseData("a/b?c=d&e=%2e%2e%2F#frag").SetName("{m}(URL syntax)");
        yield return new TestCaseData("tab\there,line\nbreak,cr\r,bell\u0007,esc\u001b[31m,del\u007f,c1\u0085").SetName("{m}(control characters)");
        yield return new TestCaseData("📝 café ñ 中文 \u202Egnp.exe \uFEFF").SetName("{m}(unicode, bidi override, BOM)");
        yield return new TestCaseData("<script>alert(1)</script>\"'").SetName("{m}(markup and quotes)");
        yield return new TestCaseData("'; DROP TABLE resources; --").SetName("{m}(SQL)");
        yield return new TestCaseData(" leading and trailing ").SetName("{m}(surrounding spaces)");
        yield return new TestCaseData(new string('x', 256)).SetName("{m}(256 characters, the longest allowed)");
    }

    /// <summary>Ids refused at queue time.</summary>
    public static IEnumerable<TestCaseData> RefusedIds()
    {
        yield return new TestCaseData(new string('x', 257)).SetName("{m}(257 characters)");
        yield return new TestCaseData(" \t ").SetName("{m}(blank)");
        yield return new TestCaseData("nul\0byte").SetName("{m}(NUL)");
        yield return new TestCaseData("lone\uD800surrogate").SetName("{m}(unpaired high surrogate)");
        yield return new TestCaseData("lone\uDC00surrogate").SetName("{m}(unpaired low surrogate)");
    }

    [OneTimeSetUp]
    public async Task StartServer() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [TestCaseSource(nameof(FaithfulIds))]
    public async Task QueueOperationAsync_HostileResourceId_SyncsFaithfullyAndPullsBack(string resourceId)
    {
        await using var client = await SyncClient.StartAsync(_server.BaseAddress, "hostile-" + Guid.NewGuid().ToString("N"), Manual);
        var since = await _server.Store.GetLastSequenceAsync();
        var created = await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, resourceId, new JsonObject { ["id"] = resourceId });
        Assert.That(created.ResourceId, Is.EqualTo(resourceId));
        var stored = await client.Engine.OperationQueue.GetOperationAsync(created.Id);
        Assert.That(stored!.ResourceId, Is.EqualTo(resourceId), "the client's SQLite store should keep the id as given");

        var result = await client.Engine.SyncNowAsync();
        Assert.That(result.Success, Is.True, string.Join("; ", result.Errors.Select(e => e.Message)));
        Assert.That(result.ProcessedOperations, Is.EqualTo(1));

        var page = await client.Transport.PullAsync(since, 100, CancellationToken.None);
        var change = page.Changes.Single(c => c.ResourceType == ResourceType.Post);
        var onServer = await _server.Store.GetResourceAsync("post", resourceId);
        Assert.Multiple(() =>
        {
            Assert.That(change.ResourceId, Is.EqualTo(resourceId), "pulled back byte for byte");
            Assert.That(change.Data?["id"]?.GetValue<string>(), Is.EqualTo(resourceId));
            Assert.That(change.Version, Is.EqualTo(1));
            Assert.That(onServer, Is.Not.Null, "the server should hold the resource under exactly this id");
        });
    }

    [TestCaseSource(nameof(RefusedIds))]
    public async Task QueueOperationAsync_UntransportableResourceId_ThrowsArgumentExceptionNamingResourceIdAndStoresNothing(string resourceId)
    {
        await using var client = await SyncClient.StartAsync(_server.BaseAddress, "refused-" + Guid.NewGuid().ToString("N"), Manual);
        var ex = await Assert.ThrowsAsync<ArgumentException>(
            async () => await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, resourceId, new JsonObject { ["a"] = 1 }));
        TestContext.Progress.WriteLine($"refused id: {ex!.Message}");
        Assert.That(ex.ParamName, Is.EqualTo(nameof(OperationRequest.ResourceId)));
        Assert.That((await client.Engine.OperationQueue.GetQueueStatsAsync()).Total, Is.Zero);
    }

    [Test]
    public async Task QueueOperationAsync_DataAboveMaxOperationDataBytes_ThrowsArgumentExceptionNamingDataAndStoresNothing()
    {
        await using var client = await SyncClient.StartAsync(_server.BaseAddress, "oversize-device", Manual with { MaxOperationDataBytes = 1024 });
        await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, "fits", new JsonObject { ["body"] = new string('a', 1000) });

        var ex = await Assert.ThrowsAsync<ArgumentException>(
            async () => await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, "too-big", new JsonObject { ["body"] = new string('a', 1100) }));
        var pending = await client.OperationsAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(ex!.ParamName, Is.EqualTo(nameof(OperationRequest.Data)));
            Assert.That(ex.Message, Does.Contain("1024"));
            Assert.That(pending.Select(o => o.ResourceId), Is.EqualTo(new[] { "fits" }), "nothing of the refused request is stored");
        });
    }

    [Test]
    public async Task SyncNowAsync_ServerRefusesOversizedPush_OnlyTheOversizedOperationFailsWithQuotaExceededAndIsKept()
    {
        await using var client = await SyncClient.StartAsync(_server.BaseAddress, "quota-device", Manual with { BatchSize = 10 });
        var small = new List<Guid>();
        for (var i = 0; i < 6; i++)
        {
            small.Add((await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, $"small-{i}", new JsonObject { ["body"] = new string('s', 200) })).Id);
        }

        var big = (await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, "big", new JsonObject { ["body"] = new string('b', 8000) })).Id;
        _server.Options.MaxPushBodyBytes = 4096;
        try
        {
            var result = await client.Engine.SyncNowAsync();
            var failed = await client.OperationsAsync(OperationState.Failed);
            Assert.Multiple(() =>
            {
                Assert.That(result.ProcessedOperations, Is.EqualTo(small.Count), "the small operations go through");
                Assert.That(result.FailedOperations, Is.EqualTo(1));
                Assert.That(result.Errors.Select(e => e.Type), Has.Member(SyncErrorType.QuotaExceeded));
                Assert.That(failed.Select(o => o.Id), Is.EqualTo(new[] { big }), "only the oversized operation fails, and it is kept");
                Assert.That(failed.Single().ErrorType, Is.EqualTo(SyncErrorType.QuotaExceeded));
            });
        }
        finally
        {
            _server.Options.MaxPushBodyBytes = ReactiveSyncServerOptions.DefaultMaxPushBodyBytes;
        }

        // With room on the server, the kept operation is retried and applied.
        Assert.That(await client.Engine.RetryFailedOperationsAsync(), Is.EqualTo(1));
        var retried = await client.Engine.SyncNowAsync();
        var stats = await client.Engine.OperationQueue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(retried.ProcessedOperations, Is.EqualTo(1));
            Assert.That(stats.Total, Is.Zero);
        });
        Assert.That(await _server.Store.CountRecordedOperationsAsync("quota-device"), Is.EqualTo(small.Count + 1));
    }

    private static SyncConfiguration Manual => SyncConfiguration.Default with { AutoSyncEnabled = false };
}
