using System.Collections.ObjectModel;
using System.ComponentModel;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using ReactiveSync.Collections;
using ReactiveSync.DependencyInjection;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Server;
using ReactiveSync.Status;
using ReactiveSync.Sqlite;
using ReactiveSync.Transport;
using CategoryAttribute = NUnit.Framework.CategoryAttribute;

namespace ReactiveSync.DocSamples;

/// <summary>
/// The samples of docs/getting-started.md: an engine on SQLite and HTTP against the reference server on 127.0.0.1, the
/// same through <c>AddReactiveSync</c>, queueing, observing status, and a ViewModel bound to it.
/// </summary>
[Category("Integration")]
public class GettingStartedSamples
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("reactivesync-docs-").FullName;

    [TearDown]
    public void DeleteDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public async Task SyncEngine_SqliteStoresAndHttp_QueuedPostsReachTheServerAndTheViewModelShowsIt()
    {
        await using var server = await ReactiveSyncServerHost.StartAsync(
            Path.Combine(_directory, "server"), o => o.TokenValidator = (token, _) => ValueTask.FromResult(token == "token-of-the-signed-in-user"));
        var serverUri = server.BaseAddress;
        var appData = Path.Combine(_directory, "app");
        var log = new List<string>();
        void WriteLine(string line)
        {
            lock (log)
            {
                log.Add(line);
            }
        }

        // #region create-engine
        // One folder per signed-in user; every store is a SQLite file in it.
        Directory.CreateDirectory(appData);
        var scheduler = DefaultScheduler.Instance;                       // a TestScheduler in tests
        var tokens = new StaticAccessTokenProvider("token-of-the-signed-in-user");
        using var transport = new HttpSyncTransport(serverUri, tokens, scheduler);
        using var network = new HttpNetworkMonitor(serverUri, scheduler); // OS network events + GET /health probes

        // Optional stores, opened before the engine starts (the engine disposes only its operation store).
        await using var keyValues = new SqliteKeyValueStore(Path.Combine(appData, "state.db"), scheduler);
        await using var replica = new SqliteReplicaStore(Path.Combine(appData, "replica.db"));
        await using var downloads = new SqliteDownloadStore(Path.Combine(appData, "downloads.db"));
        await keyValues.OpenAsync();
        await replica.OpenAsync();
        await downloads.OpenAsync();

        await using var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            ClientId = "laptop-3f2a9c",               // stable per install: with each operation id, the server's idempotency key
            OperationStore = new SqliteOperationStore(Path.Combine(appData, "operations.db")),
            Transport = transport,
            NetworkMonitor = network,
            AccessTokenProvider = tokens,
            KeyValueStore = keyValues,                // parked conflicts, checkpoints and metrics survive restarts
            ReplicaStore = replica,                   // pulled server data, read through engine.Resources
            ContentSource = transport.ContentSource,  // with ContentRoot: engine.DownloadManager for offline files
            ContentRoot = Path.Combine(appData, "content"),
            DownloadStore = downloads,
            Scheduler = scheduler,
            Configuration = SyncConfiguration.Default with { BatchSize = 50, StorageQuotaMB = 200 },
        });
        // #endregion

        // #region observe
        // Status replays the current value, then each change; it emits on whatever thread changed it.
        using var statusLine = engine.StatusMonitor.Status.Subscribe(s =>
            WriteLine($"{(s.IsOnline ? "online" : "offline")}, {s.PendingOperations} pending, {s.FailedOperations} failed, {s.Conflicts} conflicts"));
        using var message = engine.StatusMonitor.StatusMessage.Subscribe(WriteLine); // "3 changes pending sync", "Syncing..."

        // Events: SyncStarted, SyncCompleted, SyncFailed, ConflictDetected, OperationQueued, NetworkStatusChanged, ...
        using var completed = engine.Events.OfType<SyncCompleted>().Subscribe(e =>
            WriteLine($"synced: {e.Result.ProcessedOperations} applied, {e.Result.PulledChanges} pulled in {e.Result.Duration.TotalMilliseconds:0} ms"));
        using var failed = engine.Events.OfType<SyncFailed>().Subscribe(e => WriteLine($"sync failed ({e.Error.Type}): {e.Error.Message}"));

        // Operations that need the user (Failed, Conflict) or are being sent (InFlight): an observable cache to bind lists to.
        using var problems = engine.ProblemOperations.CountChanged.Subscribe(n => WriteLine($"{n} operations failed, in conflict or in flight"));
        SyncMetrics metrics = engine.StatusMonitor.GetSyncMetrics(); // totals across restarts: syncs, applied, conflicts by strategy...
        // #endregion

        // #region queue
        // Completes once the operation is committed to SQLite: it survives a crash from here on.
        OfflineOperation post = await engine.QueueOperationAsync(
            OperationType.Create,
            ResourceType.Post,
            resourceId: null,                              // a Create gets a version 7 Guid
            new JsonObject { ["title"] = "Field trip", ["body"] = "Permission slips due Friday" },
            SyncPriority.High);                            // High and Critical start a sync at once; Medium is debounced

        // The full form: a comment on the post created above, sent only after it (DependsOn).
        await engine.QueueOperationAsync(new OperationRequest
        {
            Type = OperationType.Create,
            ResourceType = ResourceType.Comment,
            Data = new JsonObject { ["postId"] = post.ResourceId, ["text"] = "I can drive" },
            DependsOn = [post.Id],
        });
        // #endregion

        // The network monitor's first /health probe may still be running; SyncNowAsync would say offline until it answers.
        await engine.IsOnline.FirstAsync(online => online).Timeout(Deadline);

        // #region sync-now
        // A pull-to-refresh or a Sync button. Without it the engine syncs by itself: on High and Critical operations, after
        // a short debounce for the others, on reconnect, every SyncInterval, and when a retry is due.
        SyncResult? result = null;
        try
        {
            result = await engine.SyncNowAsync();
        }
        catch (SyncException ex) when (ex.Error.Type == SyncErrorType.Network)
        {
            WriteLine("Offline: everything stays queued and syncs when the server is reachable again.");
        }
        // #endregion

        // #region viewmodel-use
        // In an app the UI scheduler comes from the UI framework, e.g. new SynchronizationContextScheduler(
        // SynchronizationContext.Current!) on the UI thread (ReactiveUI: RxApp.MainThreadScheduler).
        using var uiThread = new EventLoopScheduler(); // stands in for the UI thread here
        using var viewModel = new SyncBarViewModel(engine, uiThread);
        await engine.QueueOperationAsync(
            OperationType.Create, ResourceType.Message, resourceId: null, new JsonObject { ["text"] = "See you at 9" }, SyncPriority.Medium);
        // #endregion

        var pulled = await Eventually(async () =>
        {
            var page = await transport.PullAsync(checkpoint: null, limit: 100, CancellationToken.None);
            return page.Changes.Count == 3 ? page : null;
        });
        var settled = await Eventually(() => Task.FromResult(viewModel.PendingCount == 0 && viewModel.IsOnline && viewModel.Message.Length > 0 ? "yes" : null));

        Assert.Multiple(() =>
        {
            Assert.That(result?.Success, Is.True, result is null ? "offline" : string.Join("; ", result.Errors.Select(e => e.Message)));
            Assert.That(metrics, Is.Not.Null);
            Assert.That(pulled!.Changes.Select(c => c.ResourceType), Is.EquivalentTo(new[] { ResourceType.Post, ResourceType.Comment, ResourceType.Message }));
            Assert.That(settled, Is.EqualTo("yes"), $"view model: {viewModel.PendingCount} pending, online {viewModel.IsOnline}");
            Assert.That(viewModel.Failed, Is.Empty);
            Assert.That(log, Has.Some.StartsWith("synced: "));
            Assert.That(log, Has.Some.StartsWith("online, "));
        });
    }

    [Test]
    public async Task AddReactiveSync_SqliteAndHttpFactories_BuildsOneEngineThatSyncs()
    {
        await using var server = await ReactiveSyncServerHost.StartAsync(Path.Combine(_directory, "server"));
        var serverUri = server.BaseAddress;
        var appData = Path.Combine(_directory, "app");
        Directory.CreateDirectory(appData);

        // #region add-reactive-sync
        var services = new ServiceCollection();
        services.AddLogging();                                         // the engine logs through ILoggerFactory when there is one
        // Ports registered in the container are found there (and disposed with it) when their factory is not set.
        services.AddSingleton<IAccessTokenProvider>(new StaticAccessTokenProvider("token-of-the-signed-in-user"));
        services.AddSingleton<ISyncTransport>(sp => new HttpSyncTransport(serverUri, sp.GetRequiredService<IAccessTokenProvider>(), DefaultScheduler.Instance));
        services.AddSingleton<INetworkMonitor>(_ => new HttpNetworkMonitor(serverUri, DefaultScheduler.Instance));
        services.AddReactiveSync(options =>
        {
            options.ClientId = "laptop-3f2a9c";
            options.Configuration = SyncConfiguration.Default with { BatchSize = 50 };
            // The engine owns and disposes its operation store, so it comes from a factory rather than the container.
            options.OperationStoreFactory = _ => new SqliteOperationStore(Path.Combine(appData, "operations.db"));
            // Also optional: KeyValueStoreFactory, DeviceStateMonitorFactory (background sync), BackgroundSync, Scheduler.
        });
        await using var provider = services.BuildServiceProvider();

        // Once at start-up (the engine opens its store asynchronously); then SyncEngine can be injected anywhere.
        SyncEngine engine = await provider.GetRequiredService<IReactiveSyncEngineProvider>().GetEngineAsync();
        // #endregion

        await engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, resourceId: null, new JsonObject { ["title"] = "via DI" }, SyncPriority.High);
        await engine.IsOnline.FirstAsync(online => online).Timeout(Deadline);
        var result = await engine.SyncNowAsync();
        var page = await provider.GetRequiredService<ISyncTransport>().PullAsync(checkpoint: null, limit: 10, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(provider.GetRequiredService<SyncEngine>(), Is.SameAs(engine));
            Assert.That(result.Success, Is.True);
            Assert.That(page.Changes, Has.Count.EqualTo(1));
        });
    }

    private static async Task<T?> Eventually<T>(Func<Task<T?>> probe)
        where T : class
    {
        var deadline = DateTimeOffset.UtcNow + Deadline;
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTimeOffset.UtcNow > deadline)
            {
                return null;
            }

            await Task.Delay(50);
        }
    }
}

// #region viewmodel
/// <summary>
/// A sync status bar: the pending count, a one-line message, whether Sync can run, and the failed operations. Every change
/// is raised on the UI scheduler. With ReactiveUI: derive from ReactiveObject, use ToProperty for the fields and
/// ReactiveCommand.CreateFromTask(SyncAsync, canExecute) for the command; the subscriptions stay the same.
/// </summary>
public sealed class SyncBarViewModel : INotifyPropertyChanged, IDisposable
{
    private readonly SyncEngine _engine;
    private readonly CompositeDisposable _subscriptions = [];
    private long _pendingCount;
    private bool _isOnline;
    private bool _canSync;
    private string _message = string.Empty;

    public SyncBarViewModel(SyncEngine engine, IScheduler uiScheduler)
    {
        _engine = engine;
        _subscriptions.Add(engine.StatusMonitor.Status
            .ObserveOn(uiScheduler)                       // the engine emits on its own threads
            .Subscribe(status =>
            {
                PendingCount = status.PendingOperations;
                IsOnline = status.IsOnline;
                CanSync = status.IsOnline && !status.IsSyncing && !status.IsPaused;
            }));
        _subscriptions.Add(engine.StatusMonitor.StatusMessage
            .ObserveOn(uiScheduler)
            .Subscribe(message => Message = message));

        // A live list: Filter and Sort run where the changes happen, Bind applies them to the collection on the UI thread.
        _subscriptions.Add(engine.ProblemOperations.Connect()
            .Filter(op => op.State == OperationState.Failed)
            .Sort(Comparer<OfflineOperation>.Create((x, y) => x.Sequence.CompareTo(y.Sequence)))
            .ObserveOn(uiScheduler)
            .Bind(out var failed)
            .Subscribe());
        Failed = failed;
    }

    public event PropertyChangedEventHandler? PropertyChanged;

    public long PendingCount { get => _pendingCount; private set => Set(ref _pendingCount, value); }

    public bool IsOnline { get => _isOnline; private set => Set(ref _isOnline, value); }

    public bool CanSync { get => _canSync; private set => Set(ref _canSync, value); }

    public string Message { get => _message; private set => Set(ref _message, value); }

    public ReadOnlyObservableCollection<OfflineOperation> Failed { get; }

    /// <summary>What a Sync button runs (enable it from <see cref="CanSync"/>).</summary>
    public Task SyncAsync() => _engine.SyncNowAsync();

    /// <summary>What a "retry" button on the failed list runs.</summary>
    public Task<int> RetryFailedAsync() => _engine.RetryFailedOperationsAsync();

    public void Dispose() => _subscriptions.Dispose();

    private void Set<T>(ref T field, T value, [CallerMemberName] string? name = null)
    {
        if (!EqualityComparer<T>.Default.Equals(field, value))
        {
            field = value;
            PropertyChanged?.Invoke(this, new PropertyChangedEventArgs(name));
        }
    }
}
// #endregion
