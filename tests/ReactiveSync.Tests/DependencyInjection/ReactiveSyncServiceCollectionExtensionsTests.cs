using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using ReactiveSync.Background;
using ReactiveSync.DependencyInjection;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Tests.Pipeline;
using ReactiveSync.Tests.Status;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.DependencyInjection;

public class ReactiveSyncServiceCollectionExtensionsTests
{
    private LockedTestScheduler _scheduler = null!;

    [SetUp]
    public void CreateScheduler() => _scheduler = new LockedTestScheduler(StatusTestEngine.T0);

    [Test]
    public async Task GetEngineAsync_PortsFromContainerAndFactories_BuildsOneEngineFromTheOptions()
    {
        var transport = new InMemorySyncTransport(_scheduler);
        var services = new ServiceCollection()
            .AddSingleton<ISyncTransport>(transport)
            .AddSingleton<INetworkMonitor>(new InMemoryNetworkMonitor(false))
            .AddReactiveSync(o =>
            {
                o.ClientId = "device-7";
                o.Scheduler = _scheduler;
                o.Configuration = SyncConfiguration.Default with { BatchSize = 3 };
                o.OperationStoreFactory = _ => new InMemoryOperationStore();
            });
        await using var provider = services.BuildServiceProvider();
        var engines = provider.GetRequiredService<IReactiveSyncEngineProvider>();

        var first = await engines.GetEngineAsync();
        var second = await engines.GetEngineAsync();

        Assert.Multiple(() =>
        {
            Assert.That(second, Is.SameAs(first));
            Assert.That(provider.GetRequiredService<SyncEngine>(), Is.SameAs(first));
            Assert.That(first.ClientId, Is.EqualTo("device-7"));
            Assert.That(first.Configuration.BatchSize, Is.EqualTo(3));
            Assert.That(first.BackgroundSync, Is.Null);
        });
    }

    [Test]
    public async Task GetRequiredService_SyncEngineBeforeItIsBuilt_ThrowsSayingToAwaitTheProvider()
    {
        await using var provider = ValidServices().BuildServiceProvider();

        var ex = Assert.Throws<InvalidOperationException>(() => provider.GetRequiredService<SyncEngine>());

        Assert.That(ex!.Message, Does.Contain("GetEngineAsync"));
    }

    [Test]
    public async Task GetEngineAsync_DeviceMonitorRegistered_RunsBackgroundSync()
    {
        var services = ValidServices().AddSingleton<IDeviceStateMonitor>(new InMemoryDeviceStateMonitor());
        await using var provider = services.BuildServiceProvider();

        var engine = await provider.GetRequiredService<IReactiveSyncEngineProvider>().GetEngineAsync();

        Assert.That(engine.BackgroundSync, Is.Not.Null);
    }

    [TestCase("")]
    [TestCase("  ")]
    [TestCase(null)]
    public async Task GetEngineAsync_BlankClientId_ThrowsNamingClientId(string? clientId)
    {
        await using var provider = ValidServices(o => o.ClientId = clientId).BuildServiceProvider();

        var ex = await Assert.ThrowsAsync<SyncConfigurationException>(() => provider.GetRequiredService<IReactiveSyncEngineProvider>().GetEngineAsync());

        Assert.That(ex!.Field, Is.EqualTo("ClientId"));
    }

    [Test]
    public async Task StartupValidator_InvalidConfiguration_ThrowsNamingTheField()
    {
        await using var provider = ValidServices(o => o.Configuration = SyncConfiguration.Default with { BatchSize = 0 }).BuildServiceProvider();

        // What a generic host does at start (ValidateOnStart).
        var ex = Assert.Throws<SyncConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Field, Is.EqualTo(nameof(SyncConfiguration.BatchSize)));
    }

    [Test]
    public async Task StartupValidator_NoTransport_ThrowsNamingTransport()
    {
        var services = new ServiceCollection()
            .AddSingleton<INetworkMonitor>(new InMemoryNetworkMonitor(false))
            .AddReactiveSync(o =>
            {
                o.ClientId = "d";
                o.OperationStoreFactory = _ => new InMemoryOperationStore();
            });
        await using var provider = services.BuildServiceProvider();

        var ex = Assert.Throws<SyncConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Field, Is.EqualTo("Transport"));
    }

    [Test]
    public async Task StartupValidator_BackgroundSyncWithoutDeviceMonitor_ThrowsNamingBackgroundSync()
    {
        await using var provider = ValidServices(o => o.BackgroundSync = BackgroundSyncConfiguration.Default).BuildServiceProvider();

        var ex = Assert.Throws<SyncConfigurationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.That(ex!.Field, Is.EqualTo("BackgroundSync"));
    }

    [Test]
    public async Task StartupValidator_ValidOptions_DoesNotThrow()
    {
        await using var provider = ValidServices().BuildServiceProvider();

        Assert.DoesNotThrow(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Test]
    public async Task DisposeAsync_Container_DisposesTheEngine()
    {
        var provider = ValidServices().BuildServiceProvider();
        var engine = await provider.GetRequiredService<IReactiveSyncEngineProvider>().GetEngineAsync();

        await provider.DisposeAsync();

        await Assert.ThrowsAsync<ObjectDisposedException>(() => engine.SyncNowAsync());
    }

    [Test]
    public async Task GetEngineAsync_LoggerFactoryInContainer_EngineLogsThroughIt_NeverThePayload()
    {
        const string Secret = "payload-secret-7f3a";
        var logs = new CapturingLoggerFactory();
        var transport = new InMemorySyncTransport(_scheduler);
        transport.SetValidator(ResourceType.Post, op => op.ResourceId == "bad" ? "The title is not allowed." : null);
        var network = new InMemoryNetworkMonitor(true);
        var services = new ServiceCollection()
            .AddSingleton<ILoggerFactory>(logs)
            .AddSingleton<ISyncTransport>(transport)
            .AddSingleton<INetworkMonitor>(network)
            .AddReactiveSync(o =>
            {
                o.ClientId = "d";
                o.Scheduler = _scheduler;
                o.OperationStoreFactory = _ => new InMemoryOperationStore();
            });
        await using var provider = services.BuildServiceProvider();
        var engine = await provider.GetRequiredService<IReactiveSyncEngineProvider>().GetEngineAsync();

        await engine.QueueOperationAsync(Post("good", Secret));
        await engine.QueueOperationAsync(Post("bad", Secret));
        await engine.SyncNowAsync();
        network.SetOnline(false);
        network.SetOnline(true);
        await engine.WhenIdleAsync().WaitAsync(StatusTestEngine.Patience);
        await engine.DisposeAsync();

        Assert.Multiple(() =>
        {
            Assert.That(logs.Entries, Is.Not.Empty, "the engine logs through the container's factory");
            Assert.That(logs.Entries, Has.Some.Contains("The network is offline"));
            Assert.That(logs.Entries, Has.None.Contains(Secret));
        });
    }

    private static OperationRequest Post(string id, string secret) => new()
    {
        Type = OperationType.Create,
        ResourceType = ResourceType.Post,
        ResourceId = id,
        Data = new JsonObject { ["title"] = secret },
        Priority = SyncPriority.Medium,
    };

    private ServiceCollection ValidServices(Action<ReactiveSyncOptions>? change = null)
    {
        var services = new ServiceCollection();
        services
            .AddSingleton<ISyncTransport>(new InMemorySyncTransport(_scheduler))
            .AddSingleton<INetworkMonitor>(new InMemoryNetworkMonitor(false))
            .AddReactiveSync(o =>
            {
                o.ClientId = "device-1";
                o.Scheduler = _scheduler;
                o.OperationStoreFactory = _ => new InMemoryOperationStore();
                change?.Invoke(o);
            });
        return services;
    }
}
