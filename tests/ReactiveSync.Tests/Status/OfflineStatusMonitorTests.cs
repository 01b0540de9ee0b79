using System.Globalization;
using System.Reactive.Linq;
using System.Text.Json;
using Microsoft.Reactive.Testing;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Status;
using ReactiveSync.Storage;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Status;

public class OfflineStatusMonitorTests
{
    private static readonly DateTimeOffset Epoch = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private CultureInfo _culture = null!;

    [SetUp]
    public void UseEnglish()
    {
        _culture = CultureInfo.CurrentUICulture;
        CultureInfo.CurrentUICulture = CultureInfo.InvariantCulture;
    }

    [TearDown]
    public void RestoreCulture() => CultureInfo.CurrentUICulture = _culture;

    [Test]
    public async Task StatusMessage_StatusChanges_EmitsMessageOncePerDistinctMessage()
    {
        var scheduler = new TestScheduler();
        var statuses = scheduler.CreateHotObservable(
            OnNext(210, Online(pending: 2)),
            OnNext(220, Online(pending: 2) with { LastSyncTime = Epoch }),
            OnNext(230, Online(pending: 1)),
            OnNext(240, Online(pending: 1) with { IsSyncing = true }),
            OnNext(250, Online(pending: 0) with { IsOnline = false }),
            OnNext(260, Online(pending: 3) with { IsOnline = false }));
        var monitor = await MonitorOver(statuses, Observable.Never<SyncEvent>(), scheduler);

        var res = scheduler.Start(() => monitor.StatusMessage);

        res.Messages.AssertEqual(
            OnNext(210, "2 changes pending sync"),
            OnNext(230, "1 change pending sync"),
            OnNext(240, "Syncing..."),
            OnNext(250, "Offline"),
            OnNext(260, "Offline - Changes will sync when connected"));
        await monitor.DisposeAsync();
    }

    [Test]
    public async Task Status_IsTheEngineStatus_ReplayedAndDistinct()
    {
        await using var setup = new StatusTestEngine(online: true);
        var engine = await setup.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false });
        await engine.QueueOperationAsync(StatusTestEngine.Create("p1"));

        var seen = new List<OfflineStatus>();
        using var subscription = engine.StatusMonitor.Status.Subscribe(seen.Add);

        Assert.Multiple(() =>
        {
            Assert.That(seen, Has.Count.EqualTo(1), "the current status is replayed once");
            Assert.That(seen[0].PendingOperations, Is.EqualTo(1));
            Assert.That(seen[0].IsOnline, Is.True);
            Assert.That(engine.StatusMonitor.CurrentStatus, Is.EqualTo(seen[0]));
            Assert.That(engine.StatusMonitor.GetStatusMessage(), Is.EqualTo("1 change pending sync"));
        });
    }

    [Test]
    public async Task GetStatusMessage_AfterGoingOffline_FollowsTheCurrentStatus()
    {
        await using var setup = new StatusTestEngine(online: true);
        var engine = await setup.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false });
        await engine.QueueOperationAsync(StatusTestEngine.Create("p1"));
        await engine.QueueOperationAsync(StatusTestEngine.Create("p2"));
        var before = engine.StatusMonitor.GetStatusMessage();

        setup.Network.SetOnline(false);

        Assert.Multiple(() =>
        {
            Assert.That(before, Is.EqualTo("2 changes pending sync"));
            Assert.That(engine.StatusMonitor.GetStatusMessage(), Is.EqualTo("Offline - Changes will sync when connected"));
        });
    }

    [Test]
    public async Task Metrics_SyncsComplete_CountsOutcomesDurationsAndConflictsByStrategy()
    {
        var scheduler = new TestScheduler();
        var conflict = new SyncConflict
        {
            Id = Guid.NewGuid(),
            OperationId = Guid.NewGuid(),
            OperationType = OperationType.Update,
            ResourceType = ResourceType.Post,
            ResourceId = "p1",
            ClientTimestamp = Epoch,
            DetectedAt = Epoch,
        };
        var events = scheduler.CreateHotObservable<SyncEvent>(
            OnNext<SyncEvent>(210, new SyncStarted(ReactiveSync.Pipeline.SyncTrigger.Manual) { Timestamp = Epoch }),
            OnNext<SyncEvent>(220, Completed(success: true, applied: 3, retried: 1, seconds: 4, at: 220, conflicts:
            [
                conflict with { Strategy = ConflictResolutionStrategy.ServerWins },
                conflict with { Strategy = ConflictResolutionStrategy.ServerWins },
                conflict with { Strategy = null },
            ])),
            OnNext<SyncEvent>(230, new SyncFailed(SyncError.Of(SyncErrorType.Network, "down")) { Timestamp = Epoch }),
            OnNext<SyncEvent>(240, Completed(success: false, failed: 2, seconds: 2, at: 240)));
        var monitor = await MonitorOver(Observable.Never<OfflineStatus>(), events, scheduler);

        var res = scheduler.Start(() => monitor.Metrics.Select(m => m.TotalSyncs));
        var metrics = monitor.GetSyncMetrics();

        res.Messages.AssertEqual(OnNext(200, 0L), OnNext(220, 1L), OnNext(240, 2L));
        Assert.Multiple(() =>
        {
            Assert.That(metrics.SyncsSucceeded, Is.EqualTo(1));
            Assert.That(metrics.SyncsFailed, Is.EqualTo(1));
            Assert.That(metrics.SuccessRate, Is.EqualTo(0.5));
            Assert.That(metrics.OperationsApplied, Is.EqualTo(3));
            Assert.That(metrics.OperationsFailed, Is.EqualTo(2));
            Assert.That(metrics.OperationsRetried, Is.EqualTo(1));
            Assert.That(metrics.Conflicts, Is.EqualTo(3));
            Assert.That(metrics.ConflictsByStrategy[ConflictResolutionStrategy.ServerWins], Is.EqualTo(2));
            Assert.That(metrics.ConflictsByCustomResolver, Is.EqualTo(1));
            Assert.That(metrics.AverageSyncDuration, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(metrics.LastSyncDuration, Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(metrics.LastSyncTime, Is.EqualTo(Epoch.AddTicks(240)));
            Assert.That(metrics.LastSuccessfulSyncTime, Is.EqualTo(Epoch.AddTicks(220)));
        });
        await monitor.DisposeAsync();
    }

    [Test]
    public void GetSyncMetrics_NoSyncYet_RatesAndDurationsAreNull()
    {
        var empty = SyncMetrics.Empty;

        Assert.Multiple(() =>
        {
            Assert.That(empty.TotalSyncs, Is.Zero);
            Assert.That(empty.SuccessRate, Is.Null);
            Assert.That(empty.AverageSyncDuration, Is.Null);
            Assert.That(empty.LastSyncTime, Is.Null);
        });
    }

    [Test]
    public async Task Metrics_AfterEachSync_StoredUnderMetricsKey()
    {
        var scheduler = new TestScheduler();
        var store = new InMemoryKeyValueStore(scheduler);
        var events = scheduler.CreateHotObservable<SyncEvent>(OnNext<SyncEvent>(210, Completed(success: true, applied: 5, seconds: 1, at: 210)));
        var monitor = await OfflineStatusMonitor.CreateAsync(Observable.Never<OfflineStatus>(), events, store, null, CancellationToken.None);

        scheduler.Start();
        await monitor.DisposeAsync();
        var json = await store.GetAsync(OfflineStatusMonitor.MetricsKey);

        Assert.That(json, Is.Not.Null);
        using var document = JsonDocument.Parse(json!);
        Assert.That(document.RootElement.GetProperty("operationsApplied").GetInt64(), Is.EqualTo(5));
    }

    [Test]
    public async Task CreateAsync_StoredMetricsUnreadable_StartsFromZero()
    {
        var scheduler = new TestScheduler();
        var store = new InMemoryKeyValueStore(scheduler);
        await store.SetAsync(OfflineStatusMonitor.MetricsKey, "{ not json");

        var monitor = await OfflineStatusMonitor.CreateAsync(Observable.Never<OfflineStatus>(), Observable.Never<SyncEvent>(), store, null, CancellationToken.None);

        Assert.That(monitor.GetSyncMetrics().TotalSyncs, Is.Zero);
        await monitor.DisposeAsync();
    }

    [Test]
    public async Task GetSyncMetrics_AfterRestartOverSameStores_KeepsTheCountsAndAddsToThem()
    {
        await using var setup = new StatusTestEngine(online: true);
        var first = await setup.StartAsync();
        await setup.QueueCreateAsync("p1", SyncPriority.High);
        await setup.QueueCreateAsync("p2", SyncPriority.High);
        var before = first.StatusMonitor.GetSyncMetrics();

        var second = await setup.StartAsync();
        var restored = second.StatusMonitor.GetSyncMetrics();
        await setup.QueueCreateAsync("p3", SyncPriority.High);
        var after = second.StatusMonitor.GetSyncMetrics();

        Assert.Multiple(() =>
        {
            Assert.That(before.OperationsApplied, Is.EqualTo(2));
            Assert.That(before.SyncsSucceeded, Is.GreaterThanOrEqualTo(2));
            Assert.That(restored.SyncsSucceeded, Is.GreaterThanOrEqualTo(before.SyncsSucceeded), "the restart's own start-up sync may be counted too");
            Assert.That(restored.OperationsApplied, Is.EqualTo(before.OperationsApplied));
            Assert.That(restored.LastSuccessfulSyncTime, Is.Not.Null);
            Assert.That(after.OperationsApplied, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task ResetMetricsAsync_AfterSyncs_StartsFromZeroAndStoresIt()
    {
        await using var setup = new StatusTestEngine(online: true);
        var engine = await setup.StartAsync();
        await setup.QueueCreateAsync("p1", SyncPriority.High);

        await engine.StatusMonitor.ResetMetricsAsync();
        var restarted = await setup.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false });

        Assert.Multiple(() =>
        {
            Assert.That(engine.StatusMonitor.GetSyncMetrics().TotalSyncs, Is.Zero);
            Assert.That(restarted.StatusMonitor.GetSyncMetrics().OperationsApplied, Is.Zero);
        });
    }

    private static OfflineStatus Online(long pending) => new() { IsOnline = true, AutoSyncEnabled = true, PendingOperations = pending };

    private static SyncCompleted Completed(
        bool success, int applied = 0, int failed = 0, int retried = 0, double seconds = 0, long at = 0, IReadOnlyList<SyncConflict>? conflicts = null) =>
        new(new SyncResult
        {
            Success = success,
            ProcessedOperations = applied,
            FailedOperations = failed,
            RetriedOperations = retried,
            Duration = TimeSpan.FromSeconds(seconds),
            Conflicts = conflicts ?? [],
        })
        { Timestamp = Epoch.AddTicks(at) };

    private static Task<OfflineStatusMonitor> MonitorOver(IObservable<OfflineStatus> status, IObservable<SyncEvent> events, TestScheduler scheduler) =>
        OfflineStatusMonitor.CreateAsync(status, events, new InMemoryKeyValueStore(scheduler), null, CancellationToken.None);
}
