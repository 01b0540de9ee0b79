using System.Net;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Server;
using ReactiveSync.TestSupport;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class ReactiveSyncServerHostTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "reactivesync-it", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task StartAsync_Default_ListensOnLoopbackFreePortWithDatabaseInDirectory()
    {
        await using var first = await ReactiveSyncServerHost.StartAsync(Path.Combine(_directory, "a"));
        await using var second = await ReactiveSyncServerHost.StartAsync(Path.Combine(_directory, "b"));

        Assert.Multiple(() =>
        {
            Assert.That(first.BaseAddress.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(first.BaseAddress.Port, Is.GreaterThan(0));
            Assert.That(first.BaseAddress.AbsolutePath, Is.EqualTo("/"));
            Assert.That(second.BaseAddress.Port, Is.Not.EqualTo(first.BaseAddress.Port));
            Assert.That(File.Exists(Path.Combine(_directory, "a", "server.db")), Is.True);
            Assert.That(Directory.Exists(Path.Combine(_directory, "a", "content")), Is.True);
        });
    }

    [Test]
    public async Task StartAsync_SameDirectoryAfterStop_KeepsData()
    {
        var id = Guid.NewGuid().ToString("N");
        await using (var host = await ReactiveSyncServerHost.StartAsync(_directory))
        {
            using var client = new HttpClient { BaseAddress = host.BaseAddress };
            await PushOneAsync(client, "d", Op("create", "post", id, data: new JsonObject { ["a"] = 1 }));
        }

        await using var restarted = await ReactiveSyncServerHost.StartAsync(_directory);
        using var again = new HttpClient { BaseAddress = restarted.BaseAddress };
        var update = await PushOneAsync(again, "d", Op("update", "post", id, 1, new JsonObject { ["a"] = 2 }));

        Assert.That(update["version"]!.GetValue<long>(), Is.EqualTo(2));
    }

    [Test]
    public async Task DisposeAsync_StopsListeningAndCanBeCalledTwice()
    {
        var host = await ReactiveSyncServerHost.StartAsync(_directory);
        using var client = new HttpClient { BaseAddress = host.BaseAddress };
        using (var ok = await client.GetAsync("health"))
        {
            Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await host.DisposeAsync();
        await host.DisposeAsync();

        await Assert.ThrowsAsync<HttpRequestException>(async () => await client.GetAsync("health"));
    }

    [Test]
    [Platform("Linux", Reason = "Counts the process's open files in /proc/self/fd.")]
    public async Task DisposeAsync_AfterAPush_ClosesEveryHandleOnTheDatabase()
    {
        var host = await ReactiveSyncServerHost.StartAsync(_directory);
        using (var client = new HttpClient { BaseAddress = host.BaseAddress })
        {
            await PushOneAsync(client, "d", Op("create", "post", "p1", data: new JsonObject { ["a"] = 1 }));
        }

        var database = Path.Combine(_directory, "server.db");
        Assert.That(OpenFiles.CountUnder(database), Is.GreaterThan(0), "the push opened the database");

        await host.DisposeAsync();

        Assert.That(OpenFiles.CountUnder(database), Is.Zero, "the writer and the pooled readers are closed, so the files can be moved or deleted");
    }

    [Test]
    public async Task Push_IsAnsweredAfterACommitThatSyncsToDisk()
    {
        await using var host = await ReactiveSyncServerHost.StartAsync(_directory);
        using (var client = new HttpClient { BaseAddress = host.BaseAddress })
        {
            await PushOneAsync(client, "d", Op("create", "post", "p1", data: new JsonObject { ["a"] = 1 }));
        }

        // 2 is FULL: in WAL mode each commit syncs the log. NORMAL (1) leaves a power cut able to roll back a batch
        // the server already answered 'applied', which the client then never resends.
        Assert.That(await ((ReactiveSync.Server.Storage.SqliteSyncServerStore)host.Store).WriterSynchronousModeAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task StartAsync_Configure_AppliesOptionsAfterDefaults()
    {
        await using var host = await ReactiveSyncServerHost.StartAsync(_directory, options => options.MaxPushBodyBytes = 1234);

        Assert.Multiple(() =>
        {
            Assert.That(host.Options.MaxPushBodyBytes, Is.EqualTo(1234));
            Assert.That(host.Options.DatabasePath, Is.EqualTo(Path.Combine(_directory, "server.db")));
        });
    }

    [Test]
    public void StartAsync_NonHttpUrl_ThrowsNamingUrl()
    {
        Assert.That(
            async () => await ReactiveSyncServerHost.StartAsync(_directory, url: "ftp://127.0.0.1:0"),
            Throws.ArgumentException.With.Property("ParamName").EqualTo("url"));
    }
}
