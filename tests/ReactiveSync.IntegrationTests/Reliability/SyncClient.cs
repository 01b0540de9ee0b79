using System.Collections.Concurrent;
using System.Reactive.Concurrency;
using Microsoft.Data.Sqlite;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Sqlite;
using ReactiveSync.Transport;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// One device for the reliability cases: a real <see cref="SyncEngine"/> on a SQLite file in its own temp folder, talking
/// HTTP to a server on 127.0.0.1, on the real clock. Records every event. Disposing it stops the engine and deletes the folder.
/// </summary>
public sealed class SyncClient : IAsyncDisposable
{
    private readonly IDisposable _subscription;

    private SyncClient(SyncEngine engine, HttpSyncTransport transport, string directory)
    {
        Engine = engine;
        Transport = transport;
        Directory = directory;
        _subscription = engine.Events.Subscribe(Events.Enqueue);
    }

    /// <summary>The engine.</summary>
    public SyncEngine Engine { get; }

    /// <summary>The engine's HTTP transport (pull and upload go straight through it).</summary>
    public HttpSyncTransport Transport { get; }

    /// <summary>The folder of the client's SQLite file.</summary>
    public string Directory { get; }

    /// <summary>Every event the engine emitted, in order.</summary>
    public ConcurrentQueue<SyncEvent> Events { get; } = new();

    /// <summary>Builds and starts a client for the server at <paramref name="server"/>.</summary>
    public static async Task<SyncClient> StartAsync(
        Uri server,
        string clientId,
        SyncConfiguration configuration,
        IAccessTokenProvider? tokens = null,
        HttpSyncTransportOptions? transportOptions = null)
    {
        var directory = Path.Combine(Path.GetTempPath(), "rs-reliability-" + Guid.NewGuid().ToString("N"));
        System.IO.Directory.CreateDirectory(directory);
        tokens ??= new StaticAccessTokenProvider("test-token");
        var transport = new HttpSyncTransport(server, tokens, Scheduler.Default, transportOptions);
        var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = new SqliteOperationStore(Path.Combine(directory, "queue.db")),
            Transport = transport,
            NetworkMonitor = new InMemoryNetworkMonitor(online: true),
            ClientId = clientId,
            Scheduler = Scheduler.Default,
            Configuration = configuration,
            AccessTokenProvider = tokens,
        });
        return new SyncClient(engine, transport, directory);
    }

    /// <summary>Every stored operation in <paramref name="state"/>.</summary>
    public Task<IReadOnlyList<OfflineOperation>> OperationsAsync(OperationState state) =>
        Engine.OperationQueue.GetOperationsAsync(state, 0, int.MaxValue);

    /// <summary>Stops the engine, the transport, and deletes the folder.</summary>
    public async ValueTask DisposeAsync()
    {
        _subscription.Dispose();
        await Engine.DisposeAsync();
        Transport.Dispose();
        SqliteConnection.ClearAllPools();
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
            // Left for the OS's temp cleanup.
        }
    }
}
