using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Transport;
using ReactiveSync.Background;
using ReactiveSync.Storage;
using System.Reactive.Concurrency;

namespace ReactiveSync.DependencyInjection;

/// <summary>Builds the engine once from <see cref="ReactiveSyncOptions"/> and the container, and disposes it with the container.</summary>
internal sealed class ReactiveSyncEngineProvider(IServiceProvider services, IOptions<ReactiveSyncOptions> options) : IReactiveSyncEngineProvider, IAsyncDisposable
{
    private readonly object _gate = new();
    private Task<SyncEngine>? _build;
    private SyncEngine? _engine;
    private bool _disposed;

    public SyncEngine? Engine
    {
        get
        {
            lock (_gate)
            {
                return _engine;
            }
        }
    }

    public Task<SyncEngine> GetEngineAsync(CancellationToken cancellationToken = default)
    {
        Task<SyncEngine> build;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            if (_build is null || _build.IsFaulted || _build.IsCanceled)
            {
                _build = BuildAsync();
            }

            build = _build;
        }

        return build.WaitAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        Task<SyncEngine>? build;
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            build = _build;
        }

        if (build is null)
        {
            return;
        }

        SyncEngine engine;
        try
        {
            engine = await build.ConfigureAwait(false);
        }
        catch (Exception)
        {
            // A build that failed left nothing to dispose; its caller saw the exception.
            return;
        }

        await engine.DisposeAsync().ConfigureAwait(false);
    }

    private async Task<SyncEngine> BuildAsync()
    {
        // Reading Value runs the validator: an invalid option throws here, naming the field.
        var value = options.Value;
        var engine = await SyncEngine.CreateAsync(
            new SyncEngineOptions
            {
                ClientId = value.ClientId!,
                Configuration = value.Configuration,
                OperationStore = Required(value.OperationStoreFactory, "OperationStore"),
                Transport = Required(value.TransportFactory, "Transport"),
                NetworkMonitor = Required(value.NetworkMonitorFactory, "NetworkMonitor"),
                KeyValueStore = Optional(value.KeyValueStoreFactory),
                AccessTokenProvider = Optional(value.AccessTokenProviderFactory),
                DeviceStateMonitor = Optional(value.DeviceStateMonitorFactory),
                BackgroundSyncConfiguration = value.BackgroundSync,
                Scheduler = value.Scheduler ?? services.GetService<IScheduler>() ?? DefaultScheduler.Instance,
                LoggerFactory = services.GetService<ILoggerFactory>(),
            },
            CancellationToken.None).ConfigureAwait(false);

        bool disposed;
        lock (_gate)
        {
            disposed = _disposed;
            _engine = disposed ? null : engine;
        }

        if (disposed)
        {
            await engine.DisposeAsync().ConfigureAwait(false);
            throw new ObjectDisposedException(nameof(IReactiveSyncEngineProvider), "The container was disposed while the engine was being built.");
        }

        return engine;
    }

    private T Required<T>(Func<IServiceProvider, T>? factory, string field)
        where T : class =>
        (factory is null ? services.GetService<T>() : factory(services))
        ?? throw new SyncConfigurationException(field, null, $"is required: set ReactiveSyncOptions.{field}Factory or register {typeof(T).Name} in the container");

    private T? Optional<T>(Func<IServiceProvider, T>? factory)
        where T : class =>
        factory is null ? services.GetService<T>() : factory(services);
}
