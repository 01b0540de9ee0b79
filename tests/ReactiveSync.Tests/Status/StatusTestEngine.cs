using System.Text.Json.Nodes;
using ReactiveSync.Background;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Storage;
using ReactiveSync.Tests.Pipeline;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Status;

/// <summary>
/// Engines over stores that outlive them (so a second engine is a restart), the in-memory server and a network the test
/// switches, on virtual time; optionally with a device monitor for background sync.
/// </summary>
internal sealed class StatusTestEngine : IAsyncDisposable
{
    public static readonly DateTimeOffset T0 = new(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
    public static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly List<SyncEvent> _events = [];
    private IDisposable? _recording;

    public StatusTestEngine(bool online = true)
    {
        Scheduler = new LockedTestScheduler(T0);
        KeyValues = new InMemoryKeyValueStore(Scheduler);
        Server = new InMemorySyncTransport(Scheduler);
        Network = new InMemoryNetworkMonitor(online);
    }

    public LockedTestScheduler Scheduler { get; }

    /// <summary>The operation store; survives an engine's disposal (InMemoryOperationStore can be reopened).</summary>
    public InMemoryOperationStore Store { get; } = new();

    public InMemoryKeyValueStore KeyValues { get; }

    public InMemorySyncTransport Server { get; }

    public InMemoryNetworkMonitor Network { get; }

    public InMemoryDeviceStateMonitor? Device { get; private set; }

    public SyncEngine Engine { get; private set; } = null!;

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

    public static DateTimeOffset At(double seconds) => T0 + TimeSpan.FromSeconds(seconds);

    /// <summary>Builds an engine over the shared stores (disposing the previous one first: a restart).</summary>
    public async Task<SyncEngine> StartAsync(
        SyncConfiguration? configuration = null,
        bool withDevice = false,
        BackgroundSyncConfiguration? background = null)
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        _recording?.Dispose();
        if (withDevice)
        {
            Device ??= new InMemoryDeviceStateMonitor(new DeviceState
            {
                BatteryLevel = 0.9,
                IsCharging = true,
                NetworkKind = NetworkKind.WiFi,
                IsForeground = true,
            });
        }

        Engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = Store,
            Transport = Server,
            NetworkMonitor = Network,
            ClientId = "device-1",
            Scheduler = Scheduler,
            Configuration = configuration ?? SyncConfiguration.Default,
            KeyValueStore = KeyValues,
            RandomUnit = () => 0.5,
            DeviceStateMonitor = withDevice ? Device : null,
            BackgroundSyncConfiguration = background,
        });
        _recording = Engine.Events.Subscribe(e =>
        {
            lock (_events)
            {
                _events.Add(e);
            }
        });
        await IdleAsync();
        return Engine;
    }

    public Task IdleAsync() => Engine.WhenIdleAsync().WaitAsync(Patience);

    public async Task AdvanceToAsync(DateTimeOffset time)
    {
        Scheduler.AdvanceTo(time);
        await IdleAsync();
    }

    public async Task<OfflineOperation> QueueCreateAsync(string resourceId, SyncPriority priority = SyncPriority.Medium)
    {
        var op = await Engine.QueueOperationAsync(Create(resourceId, priority));
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

    public IReadOnlyList<T> EventsOf<T>()
        where T : SyncEvent => Events.OfType<T>().ToList();

    public async ValueTask DisposeAsync()
    {
        if (Engine is not null)
        {
            await Engine.DisposeAsync();
        }

        _recording?.Dispose();
        Network.Dispose();
        Device?.Dispose();
    }
}
