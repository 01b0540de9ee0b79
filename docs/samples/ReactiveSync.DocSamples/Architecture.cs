using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Server;
using ReactiveSync.Sqlite;

namespace ReactiveSync.DocSamples;

/// <summary>The sample of docs/architecture.md: the real ports wired into an engine, syncing to the reference server.</summary>
[Category("Integration")]
public class ArchitectureSamples
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("reactivesync-docs-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task SyncEngine_SqliteAndHttpPorts_SyncsAQueuedPostToTheReferenceServer()
    {
        await using var server = await ReactiveSyncServerHost.StartAsync(
            Path.Combine(_directory, "server"), o => o.TokenValidator = (token, _) => ValueTask.FromResult(token == "let-me-in"));
        var serverUri = server.BaseAddress;
        var databasePath = Path.Combine(_directory, "device.db");

        // #region wiring
        var scheduler = DefaultScheduler.Instance;                          // a TestScheduler in tests
        var tokens = new StaticAccessTokenProvider("let-me-in");            // or DelegateAccessTokenProvider
        using var transport = new HttpSyncTransport(serverUri, tokens, scheduler);
        using var network = new HttpNetworkMonitor(serverUri, scheduler);   // OS events + GET /health probes
        await using var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = new SqliteOperationStore(databasePath),         // owned and disposed by the engine
            Transport = transport,
            NetworkMonitor = network,
            ClientId = "device-1",               // keep it stable: with each operation id, the server's idempotency key
            Scheduler = scheduler,
            AccessTokenProvider = tokens,        // its Renewed stream ends a pause for credentials
            Configuration = SyncConfiguration.Default with { BatchSize = 50 },
        });
        // #endregion

        var synced = engine.Events.OfType<SyncCompleted>().Where(e => e.Result.ProcessedOperations > 0).FirstAsync().ToTask();

        // #region queue
        using var statusLine = engine.Status.Subscribe(status =>
            Console.WriteLine($"online {status.IsOnline}, pending {status.PendingOperations}, failed {status.FailedOperations}"));

        var post = await engine.QueueOperationAsync(            // completes once committed to SQLite
            OperationType.Create,
            ResourceType.Post,
            resourceId: null,                                   // a Create gets a version 7 Guid
            new JsonObject { ["title"] = "Written offline", ["body"] = "..." },
            SyncPriority.High);                                 // High and Critical start a sync at once
        // #endregion

        var result = (await synced.WaitAsync(TimeSpan.FromSeconds(30))).Result;
        var page = await transport.PullAsync(checkpoint: null, limit: 100, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.True);
            Assert.That(page.Changes.Select(c => c.ResourceId), Does.Contain(post.ResourceId));
        });
    }
}
