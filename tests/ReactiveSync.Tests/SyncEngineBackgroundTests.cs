using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ReactiveSync.Background;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Pipeline;
using ReactiveSync.Tests.Status;

namespace ReactiveSync.Tests;

public class SyncEngineBackgroundTests
{
    private static readonly SyncConfiguration ManualOnly = SyncConfiguration.Default with { AutoSyncEnabled = false };

    [Test]
    public async Task BackgroundSync_NoDeviceMonitor_IsNull()
    {
        await using var setup = new StatusTestEngine();
        var engine = await setup.StartAsync();

        Assert.That(engine.BackgroundSync, Is.Null);
    }

    [Test]
    public async Task BackgroundSync_SyncTaskWhileOnline_SyncsThePendingOperations()
    {
        await using var setup = new StatusTestEngine(online: true);
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);
        await engine.QueueOperationAsync(StatusTestEngine.Create("p1"));

        var done = Until(engine, t => t.Type == BackgroundTaskType.Sync && !t.IsPeriodic && t.State == BackgroundTaskState.Succeeded);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));
        await done;
        await setup.IdleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(setup.Server.OperationsApplied, Is.EqualTo(1));
            Assert.That(engine.StatusMonitor.CurrentStatus.PendingOperations, Is.Zero);
        });
    }

    [Test]
    public async Task BackgroundSync_SyncTaskWhileOffline_FailsAndBacksOff()
    {
        await using var setup = new StatusTestEngine(online: false);
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);

        var retrying = Until(engine, t => t.Type == BackgroundTaskType.Sync && t.State == BackgroundTaskState.Retrying);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));
        var task = await retrying;

        Assert.Multiple(() =>
        {
            Assert.That(task.FailureCount, Is.EqualTo(1));
            Assert.That(task.NextRunAt, Is.GreaterThan(setup.Scheduler.Now));
            Assert.That(task.LastError, Does.Contain("offline"));
        });
    }

    [Test]
    public async Task BackgroundSync_PeriodicSyncOn_ReplacesTheEngineIntervalTrigger()
    {
        await using var setup = new StatusTestEngine(online: true);
        var engine = await setup.StartAsync(withDevice: true);

        var periodic = Until(engine, t => t.IsPeriodic && t.State == BackgroundTaskState.Succeeded);
        setup.Scheduler.AdvanceTo(StatusTestEngine.At(30));
        await periodic;
        await setup.IdleAsync();
        var triggers = TriggersAfterStart(setup);

        Assert.That(triggers, Is.EqualTo(new[] { SyncTrigger.Manual }), "one sync at 30 s, from the background service; none from the interval");
    }

    [Test]
    public async Task BackgroundSync_PeriodicSyncWhileAutoSyncOff_SkipsTheSync()
    {
        await using var setup = new StatusTestEngine(online: true);
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);
        await engine.QueueOperationAsync(StatusTestEngine.Create("p1"));

        var periodic = Until(engine, t => t.IsPeriodic && t.State == BackgroundTaskState.Succeeded);
        setup.Scheduler.AdvanceTo(StatusTestEngine.At(30));
        await periodic;
        await setup.IdleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(setup.Server.PushCount, Is.Zero);
            Assert.That(TriggersAfterStart(setup), Is.Empty);
        });
    }

    [Test]
    public async Task SyncInterval_NoBackgroundSync_EngineIntervalStillSyncs()
    {
        await using var setup = new StatusTestEngine(online: true);
        await setup.StartAsync();

        await setup.AdvanceToAsync(StatusTestEngine.At(30));
        var triggers = TriggersAfterStart(setup);

        Assert.That(triggers, Is.EqualTo(new[] { SyncTrigger.Interval }));
    }

    [Test]
    public async Task BackgroundSync_PeriodicSyncDisabled_EngineIntervalSyncs()
    {
        await using var setup = new StatusTestEngine(online: true);
        await setup.StartAsync(withDevice: true, background: BackgroundSyncConfiguration.Default with { PeriodicSyncEnabled = false });

        await setup.AdvanceToAsync(StatusTestEngine.At(30));
        var triggers = TriggersAfterStart(setup);

        Assert.That(triggers, Is.EqualTo(new[] { SyncTrigger.Interval }));
    }

    [Test]
    public async Task BackgroundSync_CleanupTaskWithDelegate_RunsIt()
    {
        await using var setup = new StatusTestEngine();
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);
        var cleanups = 0;
        engine.BackgroundCleanup = _ =>
        {
            Interlocked.Increment(ref cleanups);
            return Task.CompletedTask;
        };

        var done = Until(engine, t => t.Type == BackgroundTaskType.Cleanup && t.State == BackgroundTaskState.Succeeded);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Cleanup));
        await done;

        Assert.That(cleanups, Is.EqualTo(1));
    }

    [Test]
    public async Task BackgroundSync_CleanupTaskWithoutDelegate_Succeeds()
    {
        await using var setup = new StatusTestEngine();
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);

        var done = Until(engine, t => t.Type == BackgroundTaskType.Cleanup && t.State == BackgroundTaskState.Succeeded);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Cleanup));

        Assert.That((await done).FailureCount, Is.Zero);
    }

    [Test]
    public async Task BackgroundSync_DownloadTask_HandsResourceIdsAndPriorityToTheDelegate()
    {
        await using var setup = new StatusTestEngine();
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);
        var calls = new List<(IReadOnlyList<string> Ids, SyncPriority Priority)>();
        engine.BackgroundDownload = (ids, priority, _) =>
        {
            lock (calls)
            {
                calls.Add((ids, priority));
            }

            return Task.CompletedTask;
        };

        var done = Until(engine, t => t.Type == BackgroundTaskType.Download && t.State == BackgroundTaskState.Succeeded);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download)
        {
            Priority = SyncPriority.High,
            Data = EngineBackgroundWork.FormatDownloadData(["r1", "r2"]),
        });
        await done;

        Assert.That(calls.Select(c => (string.Join(",", c.Ids), c.Priority)), Is.EqualTo(new[] { ("r1,r2", SyncPriority.High) }));
    }

    [Test]
    public async Task BackgroundSync_DownloadTaskWithoutDelegate_FailsAndBacksOff()
    {
        await using var setup = new StatusTestEngine();
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);

        var retrying = Until(engine, t => t.Type == BackgroundTaskType.Download && t.State == BackgroundTaskState.Retrying);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download)
        {
            Data = EngineBackgroundWork.FormatDownloadData(["r1"]),
        });

        Assert.That((await retrying).FailureCount, Is.EqualTo(1));
    }

    [TestCase(null)]
    [TestCase("not json")]
    [TestCase("[]")]
    [TestCase("""["ok", " "]""")]
    public void ParseDownloadData_NotAnArrayOfIds_IsNull(string? data) =>
        Assert.That(EngineBackgroundWork.ParseDownloadData(data), Is.Null);

    [Test]
    public async Task BackgroundSync_DownloadTaskWithUnusableData_EndsWithoutCallingTheDelegate()
    {
        await using var setup = new StatusTestEngine();
        var engine = await setup.StartAsync(ManualOnly, withDevice: true);
        var called = false;
        engine.BackgroundDownload = (_, _, _) =>
        {
            called = true;
            return Task.CompletedTask;
        };

        var done = Until(engine, t => t.Type == BackgroundTaskType.Download && t.State == BackgroundTaskState.Succeeded);
        await engine.BackgroundSync!.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download) { Data = "not ids" });
        await done;

        Assert.That(called, Is.False);
    }

    [Test]
    public async Task CreateAsync_InvalidBackgroundConfiguration_ThrowsNamingTheField()
    {
        await using var setup = new StatusTestEngine();

        var ex = await Assert.ThrowsAsync<BackgroundSyncConfigurationException>(() =>
            setup.StartAsync(withDevice: true, background: BackgroundSyncConfiguration.Default with { MinimumBatteryLevel = 2 }));

        Assert.That(ex!.Field, Is.EqualTo(nameof(BackgroundSyncConfiguration.MinimumBatteryLevel)));
    }

    [Test]
    public async Task DisposeAsync_WithBackgroundSync_StopsTheService()
    {
        var setup = new StatusTestEngine();
        var engine = await setup.StartAsync(withDevice: true);
        var completed = false;
        using var subscription = engine.BackgroundSync!.TaskChanges.Subscribe(_ => { }, () => completed = true);

        await setup.DisposeAsync();

        Assert.That(completed, Is.True);
    }

    private static List<SyncTrigger> TriggersAfterStart(StatusTestEngine setup) =>
        setup.EventsOf<SyncStarted>().Where(e => e.Timestamp > StatusTestEngine.T0).Select(e => e.Trigger).ToList();

    private static Task<BackgroundTask> Until(SyncEngine engine, Func<BackgroundTask, bool> predicate) =>
        engine.BackgroundSync!.TaskChanges.FirstAsync(predicate).ToTask().WaitAsync(StatusTestEngine.Patience);
}
