using System.Reactive.Concurrency;
using ReactiveSync.Background;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Storage;
using ReactiveSync.Transport;

namespace ReactiveSync.DependencyInjection;

/// <summary>
/// What <see cref="ReactiveSyncServiceCollectionExtensions.AddReactiveSync"/> builds the engine from (the Options pattern).
/// Each port comes from its factory when set, else from the service provider; validated when the app starts.
/// </summary>
public sealed class ReactiveSyncOptions
{
    /// <summary>Required: this device's id, sent with every push; keep it stable across restarts.</summary>
    public string? ClientId { get; set; }

    /// <summary>How the engine syncs. Default: <see cref="SyncConfiguration.Default"/>.</summary>
    public SyncConfiguration Configuration { get; set; } = SyncConfiguration.Default;

    /// <summary>
    /// Makes the operation store; the engine owns it and disposes it. Null: an <see cref="IOperationStore"/> registered in
    /// the container (required one way or the other).
    /// </summary>
    public Func<IServiceProvider, IOperationStore>? OperationStoreFactory { get; set; }

    /// <summary>Makes the transport. Null: an <see cref="ISyncTransport"/> registered in the container (required one way or the other).</summary>
    public Func<IServiceProvider, ISyncTransport>? TransportFactory { get; set; }

    /// <summary>Makes the network monitor. Null: an <see cref="INetworkMonitor"/> registered in the container (required one way or the other).</summary>
    public Func<IServiceProvider, INetworkMonitor>? NetworkMonitorFactory { get; set; }

    /// <summary>Makes the key-value store (parked conflicts, metrics, background tasks). Null: an <see cref="IKeyValueStore"/> from the container, else in memory.</summary>
    public Func<IServiceProvider, IKeyValueStore>? KeyValueStoreFactory { get; set; }

    /// <summary>Makes the access token provider. Null: an <see cref="IAccessTokenProvider"/> from the container, else none.</summary>
    public Func<IServiceProvider, IAccessTokenProvider>? AccessTokenProviderFactory { get; set; }

    /// <summary>
    /// Makes the device state monitor; with one the engine runs background sync. Null: an <see cref="IDeviceStateMonitor"/>
    /// from the container, else no background sync.
    /// </summary>
    public Func<IServiceProvider, IDeviceStateMonitor>? DeviceStateMonitorFactory { get; set; }

    /// <summary>How background work runs; needs a device state monitor. Null: the engine's default (see <see cref="SyncEngineOptions.BackgroundSyncConfiguration"/>).</summary>
    public BackgroundSyncConfiguration? BackgroundSync { get; set; }

    /// <summary>The clock and timers. Null: an <see cref="IScheduler"/> from the container, else <see cref="DefaultScheduler.Instance"/>.</summary>
    public IScheduler? Scheduler { get; set; }
}
