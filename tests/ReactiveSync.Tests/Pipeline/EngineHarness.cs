using ReactiveSync.Storage;
using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Pipeline;
using ReactiveSync.Queue;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>
/// An engine over the in-memory store, the in-memory server and a network the test switches, on virtual time. Each
/// step advances the clock and then waits until the engine is idle, so the next step starts from a settled state.
/// </summary>
internal sealed class EngineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<SyncEvent> _events = [];
    private readonly List<SyncConflict> _conflicts = [];
    private IDisposable? _recording;

    private EngineHarness(LockedTestScheduler scheduler, InMemoryOperationStore store, InMemoryNetworkMonitor network, InMemorySyncTransport server)
    {
        Scheduler = scheduler;
        KeyValues = new InMemoryKeyValueStore(scheduler);
        Store = store;
        Network = network;
        Server = server;
    }

    public LockedTestScheduler Scheduler { get; }

    /// <summary>When set before the engine is created, downloads go to this folder from the in-memory server's content.</summary>
    public string? ContentRoot { get; set; }

    /// <summary>Kept across engine restarts, as an app's SQLite file would be.</summary>
    public InMemoryKeyValueStore KeyValues { get; }

    public InMemoryOperationStore Store { get; }

    public InMemoryNetworkMonitor Network { get; }

    public InMemorySyncTransport Server { get; }

    public TestTokenProvider Tokens { get; } = new();

    public SyncEngine Engine { get; private set; } = null!;

    public OperationQueue Queue => Engine.OperationQueue;

    public IReadOnlyList<SyncEvent> Events
    {
        get
        {
            lock (_events)
            {
                return [.. _events];
            }
        }
    }

    public IReadOnlyList<SyncConflict> Conflicts
    {
        get
        {
            lock (_conflicts)
            {
                return [.. _conflicts];
            }
        }
    }

    /// <summary>Starts an engine; <paramref name="seed"/> may queue operations first through a queue that is then closed (an earlier run).</summary>
    public static async Task<EngineHarness> StartAsync(
        SyncConfiguration? configuration = null,
        bool online = true,
        double randomUnit = 0.5,
        Func<OperationQueue, Task>? seed = null,
        ResolveConflict? resolver = null,
        string? contentRoot = null)
    {
        var scheduler = new LockedTestScheduler(T0);
        var harness = new EngineHarness(scheduler, new InMemoryOperationStore(), new InMemoryNetworkMonitor(online), new InMemorySyncTransport(scheduler));
        configuration ??= SyncConfiguration.Default;
        if (seed is not null)
        {
            var earlier = await OperationQueue.OpenAsync(harness.Store, configuration, scheduler);
            await seed(earlier);
            await earlier.DisposeAsync();
        }

        harness.ContentRoot = contentRoot;
        await harness.CreateEngineAsync(configuration, randomUnit, resolver);
        return harness;
    }

    public async Task CreateEngineAsync(SyncConfiguration configuration, double randomUnit = 0.5, ResolveConflict? resolver = null)
    {
        _recording?.Dispose();
        Engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = Store,
            Transport = Server,
            NetworkMonitor = Network,
            ClientId = "device-1",
            Scheduler = Scheduler,
            KeyValueStore = KeyValues,
            ContentSource = ContentRoot is null ? null : Server.ContentSource,
            ContentRoot = ContentRoot,
            Configuration = configuration,
            AccessTokenProvider = Tokens,
            RandomUnit = () => randomUnit,
            ConflictResolver = resolver,
        });
        var events = Engine.Events.Subscribe(e =>
        {
            lock (_events)
            {
                _events.Add(e);
            }
        });
        var conflicts = Engine.Conflicts.Subscribe(c =>
        {
            lock (_conflicts)
            {
                _conflicts.Add(c);
            }
        });
        _recording = new System.Reactive.Disposables.CompositeDisposable(events, conflicts);
        await IdleAsync();
    }

    public DateTimeOffset Now => Scheduler.Now;

    public static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    /// <summary>Waits until no drain runs and none is asked for.</summary>
    public Task IdleAsync() => Engine.WhenIdleAsync().WaitAsync(Patience);

    public async Task AdvanceToAsync(DateTimeOffset time)
    {
        Scheduler.AdvanceTo(time);
        await IdleAsync();
    }

    public Task AdvanceToAsync(double seconds) => AdvanceToAsync(At(seconds));

    public Task AdvanceByAsync(TimeSpan by) => AdvanceToAsync(Now + by);

    public async Task SetOnlineAsync(bool online)
    {
        Network.SetOnline(online);
        await IdleAsync();
    }

    /// <summary>Queues a Create and waits until the engine is idle (a High one has been synced by then).</summary>
    public async Task<OfflineOperation> QueueCreateAsync(string resourceId, SyncPriority priority = SyncPriority.Medium, JsonNode? data = null)
    {
        var op = await Engine.QueueOperationAsync(Create(resourceId, priority, data));
        await IdleAsync();
        return op;
    }

    public static OperationRequest Create(string resourceId, SyncPriority priority = SyncPriority.Medium, JsonNode? data = null) => new()
    {
        Type = OperationType.Create,
        ResourceType = ResourceType.Post,
        ResourceId = resourceId,
        Data = data ?? new JsonObject { ["title"] = resourceId },
        Priority = priority,
    };

    public static OperationRequest Update(string resourceId, long? baseVersion, SyncPriority priority = SyncPriority.Medium) => new()
    {
        Type = OperationType.Update,
        ResourceType = ResourceType.Post,
        ResourceId = resourceId,
        Data = new JsonObject { ["title"] = "changed" },
        BaseVersion = baseVersion,
        Priority = priority,
    };

    public IReadOnlyList<T> EventsOf<T>()
        where T : SyncEvent => Events.OfType<T>().ToList();

    public IReadOnlyList<(SyncTrigger Trigger, DateTimeOffset At)> Starts() =>
        EventsOf<SyncStarted>().Select(e => (e.Trigger, e.Timestamp)).ToList();

    public bool ServerHas(string resourceId) => Server.GetResource(ResourceType.Post, resourceId) is { Deleted: false };

    public async Task<IReadOnlyList<OfflineOperation>> InStateAsync(OperationState state) =>
        await Store.GetByStateAsync(state, 0, 1000);

    public async ValueTask DisposeAsync()
    {
        await Engine.DisposeAsync();
        _recording?.Dispose();
        Network.Dispose();
    }
}
