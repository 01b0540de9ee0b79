using System.Collections.Concurrent;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Sqlite;
using ReactiveSync.Transport;

namespace ReactiveSync.IntegrationTests.Sync;

/// <summary>
/// One device for end-to-end tests: a <see cref="SyncEngine"/> over a SQLite operation store (and, when asked, a SQLite
/// key-value store) in <see cref="Directory"/>, pushing over a real <see cref="HttpSyncTransport"/>. The files stay when
/// it is disposed, so a test can open the same device again.
/// </summary>
internal sealed class SyncTestClient : IAsyncDisposable
{
    private readonly HttpSyncTransport _transport;
    private readonly IDisposable? _ownedNetwork;
    private readonly SqliteKeyValueStore? _keyValues;
    private readonly IDisposable _eventSubscription;
    private readonly ConcurrentQueue<SyncEvent> _events = new();
    private readonly ConcurrentQueue<SyncConflict> _conflicts = new();
    private readonly IDisposable _conflictSubscription;

    private SyncTestClient(SyncEngine engine, HttpSyncTransport transport, IDisposable? ownedNetwork, SqliteKeyValueStore? keyValues, string directory)
    {
        Engine = engine;
        _transport = transport;
        _ownedNetwork = ownedNetwork;
        _keyValues = keyValues;
        Directory = directory;
        _eventSubscription = engine.Events.Subscribe(_events.Enqueue);
        _conflictSubscription = engine.Conflicts.Subscribe(_conflicts.Enqueue);
    }

    /// <summary>The engine.</summary>
    public SyncEngine Engine { get; }

    /// <summary>The folder of <c>queue.db</c> and <c>state.db</c>.</summary>
    public string Directory { get; }

    /// <summary>The transport (its clock offset, for conflict tests).</summary>
    public HttpSyncTransport Transport => _transport;

    /// <summary>Every event the engine raised since this client was started.</summary>
    public IReadOnlyList<SyncEvent> Events => _events.ToArray();

    /// <summary>Every conflict the engine emitted since this client was started.</summary>
    public IReadOnlyList<SyncConflict> Conflicts => _conflicts.ToArray();

    /// <summary>
    /// Starts a device. <paramref name="network"/> null probes the server's <c>/health</c> with <see cref="HttpNetworkMonitor"/>;
    /// pass an <see cref="InMemoryNetworkMonitor"/> to take the device offline and online at will.
    /// </summary>
    public static async Task<SyncTestClient> StartAsync(
        Uri server,
        string directory,
        string clientId,
        SyncConfiguration configuration,
        INetworkMonitor? network = null,
        IAccessTokenProvider? tokens = null,
        IScheduler? scheduler = null,
        bool durableKeyValues = false)
    {
        System.IO.Directory.CreateDirectory(directory);
        scheduler ??= DefaultScheduler.Instance;
        tokens ??= new StaticAccessTokenProvider("test-token");
        var transport = new HttpSyncTransport(server, tokens, scheduler);
        HttpNetworkMonitor? probe = null;
        if (network is null)
        {
            probe = new HttpNetworkMonitor(server, scheduler, new HttpNetworkMonitorOptions { OfflineProbeInterval = TimeSpan.FromMilliseconds(250) });
            network = probe;
        }

        SqliteKeyValueStore? keyValues = null;
        try
        {
            if (durableKeyValues)
            {
                keyValues = new SqliteKeyValueStore(Path.Combine(directory, "state.db"), scheduler);
                await keyValues.OpenAsync();
            }

            var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
            {
                OperationStore = new SqliteOperationStore(Path.Combine(directory, "queue.db")),
                Transport = transport,
                NetworkMonitor = network,
                ClientId = clientId,
                Scheduler = scheduler,
                Configuration = configuration,
                AccessTokenProvider = tokens,
                KeyValueStore = keyValues,
            });
            return new SyncTestClient(engine, transport, probe, keyValues, directory);
        }
        catch
        {
            if (keyValues is not null)
            {
                await keyValues.DisposeAsync();
            }

            probe?.Dispose();
            transport.Dispose();
            throw;
        }
    }

    /// <summary>Waits until the engine's status satisfies <paramref name="predicate"/> (the current status counts).</summary>
    public async Task<OfflineStatus> WaitForStatusAsync(Func<OfflineStatus, bool> predicate, TimeSpan timeout, string what)
    {
        try
        {
            return await Engine.Status.FirstAsync(predicate).Timeout(timeout).ToTask();
        }
        catch (TimeoutException)
        {
            var now = await Engine.GetOfflineStatusAsync();
            throw new TimeoutException($"{Engine.ClientId}: no {what} within {timeout}; status now {now}");
        }
    }

    /// <summary>Waits until nothing is pending or in flight and no sync runs.</summary>
    public Task<OfflineStatus> WaitUntilDrainedAsync(TimeSpan timeout) =>
        WaitForStatusAsync(static s => s.PendingOperations == 0 && !s.IsSyncing, timeout, "empty queue");

    /// <summary>Waits for the first event of type <typeparamref name="T"/> raised from now on, or already recorded.</summary>
    public async Task<T> WaitForEventAsync<T>(TimeSpan timeout)
        where T : SyncEvent
    {
        var next = Engine.Events.OfType<T>().FirstAsync().Timeout(timeout).ToTask();
        if (_events.OfType<T>().FirstOrDefault() is { } seen)
        {
            _ = next.ContinueWith(static t => t.Exception, TaskScheduler.Default);
            return seen;
        }

        return await next;
    }

    /// <summary>Disposes the engine (its operation store), the key-value store, the network probe and the transport.</summary>
    public async ValueTask DisposeAsync()
    {
        _eventSubscription.Dispose();
        _conflictSubscription.Dispose();
        await Engine.DisposeAsync();
        if (_keyValues is not null)
        {
            await _keyValues.DisposeAsync();
        }

        _ownedNetwork?.Dispose();
        _transport.Dispose();
    }
}
