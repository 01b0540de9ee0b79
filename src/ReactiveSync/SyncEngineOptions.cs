using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using ReactiveSync.Background;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Downloads;
using ReactiveSync.Pull;
using ReactiveSync.Queue;
using ReactiveSync.Storage;
using ReactiveSync.Transport;

namespace ReactiveSync;

/// <summary>What <see cref="SyncEngine.CreateAsync"/> wires together: the ports, the clock and the configuration.</summary>
public sealed class SyncEngineOptions
{
    /// <summary>Where operations are kept (e.g. a SQLite store, or <see cref="InMemoryOperationStore"/>). The engine owns and disposes it.</summary>
    public required IOperationStore OperationStore { get; init; }

    /// <summary>How operations reach the server (e.g. the HTTP transport, or <see cref="InMemorySyncTransport"/>).</summary>
    public required ISyncTransport Transport { get; init; }

    /// <summary>Whether the server is reachable.</summary>
    public required INetworkMonitor NetworkMonitor { get; init; }

    /// <summary>This device's id, sent with every push; with each operation id it is the server's idempotency key. Keep it stable across restarts.</summary>
    public required string ClientId { get; init; }

    /// <summary>The clock and timers for every wait (backoff, debounce, interval); a <c>TestScheduler</c> in tests. Default: <see cref="DefaultScheduler.Instance"/>.</summary>
    public IScheduler Scheduler { get; init; } = DefaultScheduler.Instance;

    /// <summary>How the engine syncs; validated when the engine is built. Default: <see cref="SyncConfiguration.Default"/>.</summary>
    public SyncConfiguration Configuration { get; init; } = SyncConfiguration.Default;

    /// <summary>Optional: its <see cref="IAccessTokenProvider.Renewed"/> ends an authentication pause.</summary>
    public IAccessTokenProvider? AccessTokenProvider { get; init; }

    /// <summary>
    /// Optional: the small durable store for what the engine keeps across restarts besides operations (parked conflicts,
    /// checkpoints, metrics), e.g. a SQLite key-value store. Default: in memory, so parked conflicts do not survive a restart.
    /// </summary>
    public IKeyValueStore? KeyValueStore { get; init; }

    /// <summary>
    /// Optional: the device's battery, power and network state. When given, the engine runs a
    /// <see cref="BackgroundSyncService"/> (<see cref="SyncEngine.BackgroundSync"/>) that judges its constraints against it.
    /// </summary>
    public IDeviceStateMonitor? DeviceStateMonitor { get; init; }

    /// <summary>
    /// Optional, with <see cref="DeviceStateMonitor"/>: how background work runs. Default: <see cref="Background.BackgroundSyncConfiguration.Default"/>
    /// with <see cref="Background.BackgroundSyncConfiguration.SyncInterval"/> set to <see cref="SyncConfiguration.SyncInterval"/>; its
    /// periodic sync is on and replaces the engine's own interval trigger. Validated when the engine is built.
    /// </summary>
    public BackgroundSyncConfiguration? BackgroundSyncConfiguration { get; init; }

    /// <summary>
    /// Optional: the local replica of server resources that pulls fill and the app reads through
    /// <see cref="SyncEngine.Resources"/> (e.g. a SQLite replica store). Default: in memory.
    /// </summary>
    public IReplicaStore? ReplicaStore { get; init; }

    /// <summary>
    /// Optional, with <see cref="ContentRoot"/>: where offline content is downloaded from (e.g. the HTTP transport's content
    /// source). Without both, <see cref="SyncEngine.DownloadManager"/> is null and downloads are not available.
    /// </summary>
    public IContentSource? ContentSource { get; init; }

    /// <summary>Optional, with <see cref="ContentSource"/>: the folder that holds every downloaded file.</summary>
    public string? ContentRoot { get; init; }

    /// <summary>Optional: where download state is kept (e.g. a SQLite download store). Default: in memory.</summary>
    public IDownloadStore? DownloadStore { get; init; }

    /// <summary>Optional: where the engine logs. Default: nowhere.</summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>
    /// Optional: the source of the uniform random numbers in [0, 1] that spread retry delays (jitter). Default:
    /// <see cref="Random.Shared"/>. Tests pass a constant (0.5 gives the exact un-jittered delay).
    /// </summary>
    public Func<double>? RandomUnit { get; init; }

    /// <summary>
    /// Where the conflict resolver plugs in: decides what happens to an operation the server answered with a conflict.
    /// Null uses the engine's <see cref="Conflicts.ConflictResolutionManager"/>; tests set their own.
    /// </summary>
    internal Pipeline.ResolveConflict? ConflictResolver { get; init; }
}
