using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using ReactiveSync.Background;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Storage;
using static Microsoft.Reactive.Testing.ReactiveTest;


namespace ReactiveSync.Tests.Background;

public class BackgroundSyncServiceTests
{
    private static readonly DeviceState Good = new()
    {
        BatteryLevel = 0.8,
        IsCharging = false,
        NetworkKind = NetworkKind.WiFi,
        IsForeground = true,
    };

    private static readonly BackgroundSyncConfiguration TasksOnly = BackgroundSyncConfiguration.Default with
    {
        PeriodicSyncEnabled = false,
        TaskBackoffInitialDelay = TimeSpan.FromSeconds(10),
        TaskBackoffMaxDelay = TimeSpan.FromSeconds(30),
        TaskBackoffMultiplier = 2,
    };

    private static long S(double seconds) => TimeSpan.FromSeconds(seconds).Ticks;

    private static DateTimeOffset At(double seconds) => new(S(seconds), TimeSpan.Zero);

    [Test]
    public async Task ScheduleTaskAsync_BatteryBelowMinimum_DefersUntilCharging()
    {
        using var h = new Harness(TasksOnly, Good with { BatteryLevel = 0.10 });
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { ScheduledAt = At(10) });
        h.At(50, () => h.Device.SetBattery(0.10, isCharging: true));

        h.Scheduler.AdvanceTo(S(100));

        h.StatesOf(task.Id).AssertEqual(
            OnNext(0, BackgroundTaskState.Scheduled),
            OnNext(S(10), BackgroundTaskState.WaitingForConstraints),
            OnNext(S(50), BackgroundTaskState.Running),
            OnNext(S(50), BackgroundTaskState.Succeeded));
        Assert.That(h.ChangesOf(task.Id).Single(t => t.State == BackgroundTaskState.WaitingForConstraints).UnmetConstraints,
            Is.EqualTo(BackgroundConstraints.BatteryNotLow));
    }

    [Test]
    public async Task ScheduleTaskAsync_BatteryLevelRecovers_RunsWithoutCharging()
    {
        using var h = new Harness(TasksOnly, Good with { BatteryLevel = 0.05 });
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download));
        h.At(20, () => h.Device.SetBattery(0.14, isCharging: false)); // still below 0.15
        h.At(40, () => h.Device.SetBattery(0.15, isCharging: false)); // at the minimum: allowed

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.EqualTo(new[] { (task.Id, S(40)) }));
    }

    [Test]
    public async Task ScheduleTaskAsync_NotBatteryOptimized_RunsOnLowBattery()
    {
        using var h = new Harness(TasksOnly, Good with { BatteryLevel = 0.05, IsPowerSaver = true });
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Cleanup) { BatteryOptimized = false });

        h.Scheduler.AdvanceTo(S(1));

        Assert.That(h.Starts, Is.EqualTo(new[] { (task.Id, 0L) }));
    }

    [Test]
    public async Task ScheduleTaskAsync_PowerSaverOn_WaitsUntilItIsOff()
    {
        using var h = new Harness(TasksOnly, Good with { IsPowerSaver = true });
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));
        h.At(30, () => h.Device.SetPowerSaver(false));

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.EqualTo(new[] { (task.Id, S(30)) }));
    }

    [Test]
    public async Task ScheduleTaskAsync_WifiLost_WifiOnlyTaskWaitsForWifiWhileOthersRun()
    {
        using var h = new Harness(TasksOnly, Good);
        await h.Service.StartAsync();
        h.At(5, () => h.Device.SetNetwork(NetworkKind.Cellular, isMetered: true));
        var wifiOnly = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download) { WifiOnly = true, ScheduledAt = At(10) });
        var any = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { ScheduledAt = At(20) });
        h.At(60, () => h.Device.SetNetwork(NetworkKind.WiFi));

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.EqualTo(new[] { (any.Id, S(20)), (wifiOnly.Id, S(60)) }));
        Assert.That(h.ChangesOf(wifiOnly.Id).Single(t => t.State == BackgroundTaskState.WaitingForConstraints).UnmetConstraints,
            Is.EqualTo(BackgroundConstraints.WiFi));
    }

    [Test]
    public async Task ScheduleTaskAsync_RequiresChargingAndUnmetered_WaitsForBoth()
    {
        var config = TasksOnly with { RequiresCharging = true, RequiredNetwork = NetworkRequirement.Unmetered };
        using var h = new Harness(config, Good with { NetworkKind = NetworkKind.Cellular, IsMetered = true });
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));
        h.At(10, () => h.Device.SetBattery(0.8, isCharging: true));
        h.At(20, () => h.Device.SetNetwork(NetworkKind.Ethernet));

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.EqualTo(new[] { (task.Id, S(20)) }));
        Assert.That(h.ChangesOf(task.Id).Where(t => t.State == BackgroundTaskState.WaitingForConstraints).Select(t => t.UnmetConstraints),
            Is.EqualTo(new[] { BackgroundConstraints.Charging | BackgroundConstraints.UnmeteredNetwork, BackgroundConstraints.UnmeteredNetwork }));
    }

    [Test]
    public async Task PeriodicSync_Foreground_RunsEverySyncInterval()
    {
        var config = BackgroundSyncConfiguration.Default with { SyncInterval = TimeSpan.FromSeconds(30), BackgroundSyncInterval = TimeSpan.FromSeconds(300) };
        using var h = new Harness(config, Good);
        await h.Service.StartAsync();

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.StartTimes(BackgroundSyncService.PeriodicSyncTaskId), Is.EqualTo(new[] { S(30), S(60), S(90) }));
        Assert.That(h.Runs.All(r => r.Type == BackgroundTaskType.Sync), Is.True);
    }

    [Test]
    public async Task PeriodicSync_Backgrounded_UsesLongerIntervalAndCatchesUpOnReturn()
    {
        var config = BackgroundSyncConfiguration.Default with { SyncInterval = TimeSpan.FromSeconds(30), BackgroundSyncInterval = TimeSpan.FromSeconds(300) };
        using var h = new Harness(config, Good);
        await h.Service.StartAsync();
        h.At(70, () => h.Device.SetForeground(false));
        h.At(400, () => h.Device.SetForeground(true));

        h.Scheduler.AdvanceTo(S(500));

        // 60 + 300 = 360 in background; back in front at 400, 360 + 30 is past, so it runs at once, then every 30 s.
        Assert.That(h.StartTimes(BackgroundSyncService.PeriodicSyncTaskId),
            Is.EqualTo(new[] { S(30), S(60), S(360), S(400), S(430), S(460), S(490) }));
    }

    [Test]
    public async Task PeriodicSync_WifiOnlyBackgroundOnCellular_WaitsForWifi()
    {
        var config = BackgroundSyncConfiguration.Default with
        {
            SyncInterval = TimeSpan.FromSeconds(30),
            BackgroundSyncInterval = TimeSpan.FromSeconds(60),
            WifiOnlyBackground = true,
        };
        using var h = new Harness(config, Good with { NetworkKind = NetworkKind.Cellular, IsMetered = true });
        await h.Service.StartAsync();
        h.At(40, () => h.Device.SetForeground(false));
        h.At(150, () => h.Device.SetNetwork(NetworkKind.WiFi));

        h.Scheduler.AdvanceTo(S(200));

        // Foreground on cellular is fine (30); backgrounded, due at 90 but held until Wi-Fi at 150; then every 60 s.
        Assert.That(h.StartTimes(BackgroundSyncService.PeriodicSyncTaskId), Is.EqualTo(new[] { S(30), S(150) }));
    }

    [Test]
    public async Task PeriodicSync_BatteryOptimizedAndLow_DeferredUntilCharging()
    {
        var config = BackgroundSyncConfiguration.Default with { SyncInterval = TimeSpan.FromSeconds(30), BackgroundSyncInterval = TimeSpan.FromSeconds(60) };
        using var h = new Harness(config, Good with { BatteryLevel = 0.1 });
        await h.Service.StartAsync();
        h.At(45, () => h.Device.SetBattery(0.1, isCharging: true));

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.StartTimes(BackgroundSyncService.PeriodicSyncTaskId), Is.EqualTo(new[] { S(45), S(75) }));
    }

    [Test]
    public async Task PeriodicSync_Fails_BacksOffNoSoonerThanTheInterval()
    {
        var config = BackgroundSyncConfiguration.Default with
        {
            SyncInterval = TimeSpan.FromSeconds(30),
            BackgroundSyncInterval = TimeSpan.FromSeconds(60),
            TaskBackoffInitialDelay = TimeSpan.FromSeconds(20),
            TaskBackoffMaxDelay = TimeSpan.FromSeconds(100),
        };
        using var h = new Harness(config, Good);
        h.Script = (_, attempt) => new Run(TimeSpan.Zero, Fail: attempt <= 3);
        await h.Service.StartAsync();

        h.Scheduler.AdvanceTo(S(300));

        // Fails at 30 (backoff 20 < interval 30 → 60), at 60 (40 → 100), at 100 (80 → 180), then succeeds at 180 and runs every 30 s.
        Assert.That(h.StartTimes(BackgroundSyncService.PeriodicSyncTaskId),
            Is.EqualTo(new[] { S(30), S(60), S(100), S(180), S(210), S(240), S(270), S(300) }));
    }

    [Test]
    public async Task ScheduleTaskAsync_ConstraintLostMidTask_CancelsTokenAndReschedules()
    {
        using var h = new Harness(TasksOnly, Good);
        h.Script = (_, _) => new Run(TimeSpan.FromSeconds(100), Fail: false);
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download) { WifiOnly = true, ScheduledAt = At(10) });
        h.At(50, () => h.Device.SetNetwork(NetworkKind.Cellular, isMetered: true));
        h.At(80, () => h.Device.SetNetwork(NetworkKind.WiFi));

        h.Scheduler.AdvanceTo(S(300));

        h.StatesOf(task.Id).AssertEqual(
            OnNext(0, BackgroundTaskState.Scheduled),
            OnNext(S(10), BackgroundTaskState.Running),
            OnNext(S(50), BackgroundTaskState.WaitingForConstraints),
            OnNext(S(80), BackgroundTaskState.Running),
            OnNext(S(180), BackgroundTaskState.Succeeded));
        Assert.That(h.Cancellations, Is.EqualTo(new[] { (task.Id, S(50)) }));
        var done = h.ChangesOf(task.Id).Last();
        Assert.That((done.Attempt, done.FailureCount), Is.EqualTo((2, 0)), "an interruption is not a failure");
        Assert.That(await h.Store.GetKeysAsync(BackgroundSyncService.StoreKeyPrefix), Is.Empty);
    }

    [Test]
    public async Task UpdateConfiguration_RequiresChargingWhileRunning_CancelsAndRunsWhenCharging()
    {
        using var h = new Harness(TasksOnly, Good);
        h.Script = (_, _) => new Run(TimeSpan.FromSeconds(100), Fail: false);
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));
        h.At(10, () => h.Service.UpdateConfiguration(TasksOnly with { RequiresCharging = true }));
        h.At(30, () => h.Device.SetBattery(0.8, isCharging: true));

        h.Scheduler.AdvanceTo(S(300));

        Assert.That(h.Starts, Is.EqualTo(new[] { (task.Id, 0L), (task.Id, S(30)) }));
        Assert.That(h.Cancellations, Is.EqualTo(new[] { (task.Id, S(10)) }));
    }

    [Test]
    public async Task ScheduleTaskAsync_RunnerFails_BacksOffExponentiallyWithinBounds()
    {
        using var h = new Harness(TasksOnly, Good); // initial 10 s, ×2, max 30 s
        h.Script = (_, attempt) => new Run(TimeSpan.Zero, Fail: attempt <= 3);
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));

        h.Scheduler.AdvanceTo(S(200));

        h.StatesOf(task.Id).AssertEqual(
            OnNext(0, BackgroundTaskState.Scheduled),
            OnNext(0, BackgroundTaskState.Running),
            OnNext(0, BackgroundTaskState.Retrying),
            OnNext(S(10), BackgroundTaskState.Running),
            OnNext(S(10), BackgroundTaskState.Retrying),
            OnNext(S(30), BackgroundTaskState.Running),
            OnNext(S(30), BackgroundTaskState.Retrying),
            OnNext(S(60), BackgroundTaskState.Running),
            OnNext(S(60), BackgroundTaskState.Succeeded));
        var retries = h.ChangesOf(task.Id).Where(t => t.State == BackgroundTaskState.Retrying).ToList();
        Assert.That(retries.Select(t => t.NextRunAt), Is.EqualTo(new[] { At(10), At(30), At(60) }));
        Assert.That(retries.Select(t => t.FailureCount), Is.EqualTo(new[] { 1, 2, 3 }));
        Assert.That(retries[0].LastError, Is.EqualTo("run 1 failed"));
    }

    [Test]
    public async Task ScheduleTaskAsync_AfterFailure_PersistsBackoffState()
    {
        using var h = new Harness(TasksOnly, Good);
        h.Script = (_, _) => new Run(TimeSpan.Zero, Fail: true);
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));

        h.Scheduler.AdvanceTo(S(5));

        var stored = await h.Store.GetObjectAsync<BackgroundTask>(BackgroundSyncService.StoreKeyPrefix + task.Id, BackgroundTaskJsonContext.Default.BackgroundTask);
        Assert.That(stored, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(BackgroundTaskState.Retrying));
            Assert.That(stored.FailureCount, Is.EqualTo(1));
            Assert.That(stored.Attempt, Is.EqualTo(1));
            Assert.That(stored.NextRunAt, Is.EqualTo(At(10)));
        });
    }

    [Test]
    public async Task ScheduleTaskAsync_SeveralDue_RunOneAtATimeByPriorityThenTime()
    {
        using var h = new Harness(TasksOnly, Good);
        h.Script = (_, _) => new Run(TimeSpan.FromSeconds(1), Fail: false);
        var low = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Cleanup) { Priority = SyncPriority.Low, ScheduledAt = At(1) });
        var mediumLater = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { ScheduledAt = At(5) });
        var mediumEarlier = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { ScheduledAt = At(3) });
        var critical = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download) { Priority = SyncPriority.Critical, ScheduledAt = At(8) });

        Assert.That((await h.Service.GetScheduledTasksAsync()).Select(t => t.Id),
            Is.EqualTo(new[] { critical.Id, mediumEarlier.Id, mediumLater.Id, low.Id }));

        h.Scheduler.AdvanceTo(S(10));
        await h.Service.StartAsync(); // all four are due at 10
        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.EqualTo(new[]
        {
            (critical.Id, S(10)), (mediumEarlier.Id, S(11)), (mediumLater.Id, S(12)), (low.Id, S(13)),
        }));
    }

    [Test]
    public async Task StartAsync_NewServiceOverSameStore_RunsTasksScheduledBeforeRestart()
    {
        var scheduler = new TestScheduler();
        var store = new InMemoryKeyValueStore(scheduler);
        string[] ids;
        using (var first = new Harness(TasksOnly, Good, scheduler, store))
        {
            await first.Service.StartAsync();
            var a = await first.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download) { ScheduledAt = At(100), WifiOnly = true, Data = "[\"r1\"]" });
            var b = await first.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { ScheduledAt = At(100), Priority = SyncPriority.High });
            ids = [b.Id, a.Id];
            scheduler.AdvanceTo(S(50));
            Assert.That(first.Starts, Is.Empty);
        }

        using var second = new Harness(TasksOnly, Good, scheduler, store);
        var reloaded = await second.Service.GetScheduledTasksAsync();
        Assert.That(reloaded.Select(t => t.Id), Is.EqualTo(ids));
        Assert.That(reloaded[1], Has.Property(nameof(BackgroundTask.Data)).EqualTo("[\"r1\"]")
            .And.Property(nameof(BackgroundTask.WifiOnly)).True
            .And.Property(nameof(BackgroundTask.NextRunAt)).EqualTo(At(100)));

        await second.Service.StartAsync();
        scheduler.AdvanceTo(S(200));

        Assert.That(second.Starts, Is.EqualTo(new[] { (ids[0], S(100)), (ids[1], S(100)) }));
        Assert.That(second.Runs[1].Data, Is.EqualTo("[\"r1\"]"));
        Assert.That(await store.GetKeysAsync(BackgroundSyncService.StoreKeyPrefix), Is.Empty);
    }

    [Test]
    public async Task StartAsync_TaskWasRunningWhenServiceStopped_RunsAgainAfterRestart()
    {
        var scheduler = new TestScheduler();
        var store = new InMemoryKeyValueStore(scheduler);
        string id;
        using (var first = new Harness(TasksOnly, Good, scheduler, store))
        {
            first.Script = (_, _) => new Run(TimeSpan.FromSeconds(100), Fail: false);
            await first.Service.StartAsync();
            id = (await first.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync))).Id;
            scheduler.AdvanceTo(S(10));
            Assert.That(first.Starts, Is.EqualTo(new[] { (id, 0L) }));
        } // disposed mid-run: its token is cancelled, it stays persisted

        using var second = new Harness(TasksOnly, Good, scheduler, store);
        await second.Service.StartAsync();
        scheduler.AdvanceTo(S(20));

        Assert.That(second.Starts, Is.EqualTo(new[] { (id, S(10)) }));
        Assert.That(second.Runs[0].Attempt, Is.EqualTo(2));
    }

    [Test]
    public async Task StartAsync_StoreHoldsUnreadableEntry_SkipsItAndRunsTheRest()
    {
        using var h = new Harness(TasksOnly, Good);
        await h.Store.SetAsync(BackgroundSyncService.StoreKeyPrefix + "broken", "{not json");
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync));

        await h.Service.StartAsync();
        h.Scheduler.AdvanceTo(S(1));

        Assert.That(h.Starts, Is.EqualTo(new[] { (task.Id, 0L) }));
    }

    [Test]
    public async Task CancelTaskAsync_ScheduledTask_NeverRunsAndLeavesTheStore()
    {
        using var h = new Harness(TasksOnly, Good);
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { ScheduledAt = At(10) });

        Assert.That(await h.Service.CancelTaskAsync(task.Id), Is.True);
        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.Empty);
        Assert.That(await h.Service.GetScheduledTasksAsync(), Is.Empty);
        Assert.That(await h.Store.GetKeysAsync(BackgroundSyncService.StoreKeyPrefix), Is.Empty);
        h.StatesOf(task.Id).AssertEqual(OnNext(0, BackgroundTaskState.Scheduled), OnNext(0, BackgroundTaskState.Cancelled));
    }

    [Test]
    public async Task CancelTaskAsync_RunningTask_CancelsTokenAndDoesNotReschedule()
    {
        using var h = new Harness(TasksOnly, Good);
        h.Script = (_, _) => new Run(TimeSpan.FromSeconds(100), Fail: false);
        await h.Service.StartAsync();
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Download));
        h.Scheduler.AdvanceTo(S(20));

        Assert.That(await h.Service.CancelTaskAsync(task.Id), Is.True);
        h.Scheduler.AdvanceTo(S(300));

        Assert.That(h.Cancellations, Is.EqualTo(new[] { (task.Id, S(20)) }));
        Assert.That(h.Starts, Has.Count.EqualTo(1));
        Assert.That(h.ChangesOf(task.Id).Last().State, Is.EqualTo(BackgroundTaskState.Cancelled));
        Assert.That(await h.Store.GetKeysAsync(BackgroundSyncService.StoreKeyPrefix), Is.Empty);
    }

    [Test]
    public async Task CancelTaskAsync_UnknownOrPeriodicId_ReturnsFalse()
    {
        using var h = new Harness(BackgroundSyncConfiguration.Default, Good);
        await h.Service.StartAsync();

        Assert.That(await h.Service.CancelTaskAsync("nope"), Is.False);
        Assert.That(await h.Service.CancelTaskAsync(BackgroundSyncService.PeriodicSyncTaskId), Is.False);
    }

    [Test]
    public async Task ScheduleTaskAsync_BeforeStart_PersistsButDoesNotRun()
    {
        using var h = new Harness(TasksOnly, Good);
        var task = await h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Cleanup) { Priority = SyncPriority.Low });

        h.Scheduler.AdvanceTo(S(100));

        Assert.That(h.Starts, Is.Empty);
        Assert.That(task, Has.Property(nameof(BackgroundTask.State)).EqualTo(BackgroundTaskState.Scheduled)
            .And.Property(nameof(BackgroundTask.Attempt)).EqualTo(0)
            .And.Property(nameof(BackgroundTask.ScheduledAt)).EqualTo(At(0)));
        Assert.That(await h.Store.GetKeysAsync(BackgroundSyncService.StoreKeyPrefix), Is.EqualTo(new[] { BackgroundSyncService.StoreKeyPrefix + task.Id }));
    }

    [Test]
    public async Task ScheduleTaskAsync_UnknownType_ThrowsNamingTheField()
    {
        using var h = new Harness(TasksOnly, Good);

        var ex = await Assert.ThrowsAsync<ArgumentException>(() => h.Service.ScheduleTaskAsync(new BackgroundTaskRequest((BackgroundTaskType)42)));
        Assert.That(ex!.Message, Does.Contain("BackgroundTaskRequest.Type"));
        await Assert.ThrowsAsync<ArgumentNullException>(() => h.Service.ScheduleTaskAsync(null!));
    }

    [Test]
    public void UpdateConfiguration_Invalid_ThrowsNamingTheFieldAndKeepsTheOld()
    {
        using var h = new Harness(TasksOnly, Good);

        var ex = Assert.Throws<BackgroundSyncConfigurationException>(() =>
            h.Service.UpdateConfiguration(TasksOnly with { MinimumBatteryLevel = 1.5 }));

        Assert.That(ex!.Field, Is.EqualTo(nameof(BackgroundSyncConfiguration.MinimumBatteryLevel)));
        Assert.That(h.Service.Configuration, Is.SameAs(TasksOnly));
    }

    [Test]
    public void Constructor_InvalidConfiguration_ThrowsNamingTheField()
    {
        var scheduler = new TestScheduler();
        var ex = Assert.Throws<BackgroundSyncConfigurationException>(() => new BackgroundSyncService(
            new InMemoryDeviceStateMonitor(), new InMemoryKeyValueStore(scheduler), scheduler, (_, _) => Task.CompletedTask,
            BackgroundSyncConfiguration.Default with { SyncInterval = TimeSpan.Zero }));

        Assert.That(ex!.Field, Is.EqualTo(nameof(BackgroundSyncConfiguration.SyncInterval)));
    }

    [Test]
    public async Task Dispose_CompletesTaskChanges()
    {
        var h = new Harness(TasksOnly, Good);

        h.Dispose();

        Assert.That(h.Observer.Messages.Last().Value.Kind, Is.EqualTo(System.Reactive.NotificationKind.OnCompleted));
        await Assert.ThrowsAsync<ObjectDisposedException>(() => h.Service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync)));
    }

    [Test]
    public async Task ScheduleTaskAsync_RunnerThrowsSynchronously_CountsAsFailure()
    {
        var scheduler = new TestScheduler();
        using var service = new BackgroundSyncService(
            new InMemoryDeviceStateMonitor(Good), new InMemoryKeyValueStore(scheduler), scheduler,
            (_, _) => throw new InvalidOperationException("no"), TasksOnly);
        await service.StartAsync();

        var task = await service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Cleanup));

        var stored = (await service.GetScheduledTasksAsync()).Single();
        Assert.That((stored.Id, stored.State, stored.FailureCount, stored.LastError, stored.NextRunAt),
            Is.EqualTo((task.Id, BackgroundTaskState.Retrying, 1, "no", At(10))));
    }

    [Test]
    public async Task ScheduleTaskAsync_ManyThreadsOnRealScheduler_EachTaskRunsOnceAndNeverTwoAtATime()
    {
        const int count = 200;
        var running = 0;
        var overlaps = 0;
        var runs = new System.Collections.Concurrent.ConcurrentDictionary<string, int>();
        var scheduler = TaskPoolScheduler.Default;
        using var service = new BackgroundSyncService(
            new InMemoryDeviceStateMonitor(Good), new InMemoryKeyValueStore(scheduler), scheduler,
            async (task, _) =>
            {
                if (Interlocked.Increment(ref running) > 1)
                {
                    Interlocked.Increment(ref overlaps);
                }

                await Task.Yield();
                runs.AddOrUpdate(task.Id, 1, (_, n) => n + 1);
                Interlocked.Decrement(ref running);
            },
            TasksOnly);
        await service.StartAsync();

        var scheduled = await Task.WhenAll(Enumerable.Range(0, count).Select(i => Task.Run(() =>
            service.ScheduleTaskAsync(new BackgroundTaskRequest(BackgroundTaskType.Sync) { Priority = (SyncPriority)(i % 4) }))));

        await Eventually.WaitAsync(
            async () => runs.Count >= count && (await service.GetScheduledTasksAsync()).Count == 0,
            "every scheduled task ran");

        Assert.That(runs.Keys, Is.EquivalentTo(scheduled.Select(t => t.Id)));
        Assert.That(runs.Values, Has.All.EqualTo(1));
        Assert.That(overlaps, Is.Zero);
        Assert.That(await service.GetScheduledTasksAsync(), Is.Empty);
    }

    private sealed record Run(TimeSpan Duration, bool Fail);

    /// <summary>A service on a TestScheduler with a runner that records starts and cancellations and completes on the scheduler.</summary>
    private sealed class Harness : IDisposable
    {
        private readonly Dictionary<string, int> _attempts = new();

        public Harness(BackgroundSyncConfiguration config, DeviceState initial, TestScheduler? scheduler = null, InMemoryKeyValueStore? store = null)
        {
            Scheduler = scheduler ?? new TestScheduler();
            Store = store ?? new InMemoryKeyValueStore(Scheduler);
            Device = new InMemoryDeviceStateMonitor(initial);
            Service = new BackgroundSyncService(Device, Store, Scheduler, RunAsync, config);
            Observer = Scheduler.CreateObserver<BackgroundTask>();
            Service.TaskChanges.Subscribe(Observer);
        }

        public TestScheduler Scheduler { get; }

        public InMemoryKeyValueStore Store { get; }

        public InMemoryDeviceStateMonitor Device { get; }

        public BackgroundSyncService Service { get; }

        public ITestableObserver<BackgroundTask> Observer { get; }

        /// <summary>How the n-th run (1-based) of a task behaves; by default it succeeds at once.</summary>
        public Func<BackgroundTask, int, Run> Script { get; set; } = (_, _) => new Run(TimeSpan.Zero, false);

        public List<(string Id, long At)> Starts { get; } = [];

        public List<BackgroundTask> Runs { get; } = [];

        public List<(string Id, long At)> Cancellations { get; } = [];

        public void At(double seconds, Action action) => Scheduler.ScheduleAbsolute(S(seconds), action);

        public long[] StartTimes(string id) => Starts.Where(s => s.Id == id).Select(s => s.At).ToArray();

        public IEnumerable<BackgroundTask> ChangesOf(string id) =>
            Observer.Messages.Where(m => m.Value.HasValue && m.Value.Value.Id == id).Select(m => m.Value.Value);

        public IList<Recorded<System.Reactive.Notification<BackgroundTaskState>>> StatesOf(string id) =>
            Observer.Messages
                .Where(m => m.Value.HasValue && m.Value.Value.Id == id)
                .Select(m => new Recorded<System.Reactive.Notification<BackgroundTaskState>>(
                    m.Time, System.Reactive.Notification.CreateOnNext(m.Value.Value.State)))
                .ToList();

        public void Dispose() => Service.Dispose();

        private Task RunAsync(BackgroundTask task, CancellationToken cancellationToken)
        {
            var attempt = _attempts[task.Id] = _attempts.GetValueOrDefault(task.Id) + 1;
            Starts.Add((task.Id, Scheduler.Clock));
            Runs.Add(task);
            var run = Script(task, attempt);
            if (run.Duration == TimeSpan.Zero)
            {
                // Completes within the call: TestScheduler would move work scheduled for "now" one tick later.
                return run.Fail ? Task.FromException(new InvalidOperationException($"run {attempt} failed")) : Task.CompletedTask;
            }

            var done = new TaskCompletionSource();
            cancellationToken.Register(() =>
            {
                Cancellations.Add((task.Id, Scheduler.Clock));
                done.TrySetCanceled(cancellationToken);
            });
            Scheduler.Schedule(run.Duration, () =>
            {
                if (run.Fail)
                {
                    done.TrySetException(new InvalidOperationException($"run {attempt} failed"));
                }
                else
                {
                    done.TrySetResult();
                }
            });
            return done.Task;
        }
    }
}
