using System.Text.Json.Nodes;
using ReactiveSync.Conflicts;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Pipeline;
using ReactiveSync.Transport;
using static ReactiveSync.Tests.Pipeline.EngineHarness;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>
/// The pipeline through the engine, on virtual time: the in-memory store and server, the network switched by the test.
/// Times are exact: the random jitter source is fixed at 0.5, which leaves every delay un-jittered.
/// </summary>
public class SyncPipelineTests
{
    private EngineHarness _h = null!;

    [TearDown]
    public async Task TearDown()
    {
        if (_h is not null)
        {
            await _h.DisposeAsync();
        }
    }

    private async Task StartAsync(
        SyncConfiguration? configuration = null,
        bool online = true,
        double randomUnit = 0.5,
        Func<ReactiveSync.Queue.OperationQueue, Task>? seed = null,
        ResolveConflict? resolver = null) =>
        _h = await EngineHarness.StartAsync(configuration, online, randomUnit, seed, resolver);

    // Triggers

    [Test]
    public async Task Startup_PendingOperationsOnline_SyncedWithoutNewWrite()
    {
        await StartAsync(seed: async q =>
        {
            await q.QueueOperationAsync(Create("a"));
            await q.QueueOperationAsync(Create("b"));
        });

        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Starts(), Is.EqualTo(new[] { (SyncTrigger.Startup, T0) }));
            Assert.That(_h.Now, Is.EqualTo(T0));
        });
    }

    [Test]
    public async Task Startup_Offline_HeldUntilOnlineThenDrained()
    {
        await StartAsync(online: false, seed: q => q.QueueOperationAsync(Create("a")));
        await _h.AdvanceToAsync(60);
        Assert.That(_h.Server.PushCount, Is.EqualTo(0));

        await _h.SetOnlineAsync(true);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a"), Is.True);
            Assert.That(_h.Starts(), Has.Count.EqualTo(1));
            Assert.That(_h.Starts()[0].At, Is.EqualTo(At(60)));
            Assert.That(_h.EventsOf<NetworkStatusChanged>().Select(e => e.IsOnline), Is.EqualTo(new[] { true }));
        });
    }

    [TestCase(SyncPriority.High)]
    [TestCase(SyncPriority.Critical)]
    public async Task QueueChanged_HighOrCritical_SyncsAtOnce(SyncPriority priority)
    {
        await StartAsync();
        await _h.AdvanceToAsync(5);
        await _h.QueueCreateAsync("a", priority);

        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a"), Is.True);
            Assert.That(_h.Starts().Last(), Is.EqualTo((SyncTrigger.QueueChanged, At(5))));
        });
    }

    [TestCase(SyncPriority.Low)]
    [TestCase(SyncPriority.Medium)]
    public async Task QueueChanged_LowOrMedium_DebouncedByConfiguration(SyncPriority priority)
    {
        await StartAsync();
        await _h.AdvanceToAsync(5);
        await _h.QueueCreateAsync("a", priority);
        await _h.AdvanceToAsync(5.3);
        await _h.QueueCreateAsync("b", priority);

        // The quiet period restarts with each queued operation: due at 5.3 + 0.5 s.
        await _h.AdvanceToAsync(At(5.8) - TimeSpan.FromTicks(1));
        Assert.That(_h.Server.PushCount, Is.EqualTo(0));

        await _h.AdvanceToAsync(5.8);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Server.PushCount, Is.EqualTo(1));
            Assert.That(_h.Starts().Last(), Is.EqualTo((SyncTrigger.QueueChanged, At(5.8))));
        });
    }

    [Test]
    public async Task Interval_OnlyWhileOnline_RestartsWhenBackOnline()
    {
        await StartAsync(SyncConfiguration.Default with { SyncInterval = TimeSpan.FromSeconds(30) });
        await _h.AdvanceToAsync(30);
        await _h.AdvanceToAsync(60);
        await _h.AdvanceToAsync(70);
        await _h.SetOnlineAsync(false);
        await _h.AdvanceToAsync(100);
        await _h.SetOnlineAsync(true);
        await _h.AdvanceToAsync(129);
        await _h.AdvanceToAsync(130);

        Assert.That(_h.Starts(), Is.EqualTo(new[]
        {
            (SyncTrigger.Startup, T0),
            (SyncTrigger.Interval, At(30)),
            (SyncTrigger.Interval, At(60)),
            (SyncTrigger.NetworkOnline, At(100)),
            (SyncTrigger.Interval, At(130)),
        }));
    }

    [Test]
    public async Task SyncNowAsync_AutoSyncOff_SyncsAndAnswersResult()
    {
        await StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false });
        await _h.QueueCreateAsync("a", SyncPriority.Critical);
        await _h.AdvanceToAsync(120);
        Assert.That(_h.Server.PushCount, Is.EqualTo(0), "auto-sync is off: no trigger but manual syncs");

        var result = await _h.Engine.SyncNowAsync().WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.True);
            Assert.That(result.ProcessedOperations, Is.EqualTo(1));
            Assert.That(_h.ServerHas("a"), Is.True);
            Assert.That(_h.Starts(), Is.EqualTo(new[] { (SyncTrigger.Manual, At(120)) }));
        });
    }

    [Test]
    public async Task SyncNowAsync_Offline_ThrowsNetworkSyncException()
    {
        await StartAsync(online: false);
        var ex = await Assert.ThrowsAsync<SyncException>(() => _h.Engine.SyncNowAsync());
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.Network));
            Assert.That(ex.Message, Does.Contain("offline"));
        });
    }

    [Test]
    public async Task SyncNowAsync_Paused_ThrowsInvalidOperation()
    {
        await StartAsync();
        _h.Engine.Pause();
        await Assert.ThrowsAsync<InvalidOperationException>(() => _h.Engine.SyncNowAsync());
    }

    // Retries and backoff

    [Test]
    public async Task TransientFailure_RetriesAtExactBackoffTimes_ThenFailsPastMaxRetries()
    {
        await StartAsync(SyncConfiguration.Default with { MaxRetries = 3 });
        for (var i = 0; i < 4; i++)
        {
            _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        }

        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.That((stored!.RetryCount, stored.ScheduledAt, stored.State), Is.EqualTo((1, At(1), OperationState.Pending)));

        // Not a tick early.
        await _h.AdvanceToAsync(At(1) - TimeSpan.FromTicks(1));
        Assert.That(_h.Server.PushCount, Is.EqualTo(1));

        await _h.AdvanceToAsync(1);
        stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.That((stored!.RetryCount, stored.ScheduledAt), Is.EqualTo((2, At(3))));

        await _h.AdvanceToAsync(3);
        stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.That((stored!.RetryCount, stored.ScheduledAt), Is.EqualTo((3, At(7))));

        await _h.AdvanceToAsync(7);
        stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Failed));
            Assert.That(stored.RetryCount, Is.EqualTo(3));
            Assert.That(stored.ErrorType, Is.EqualTo(SyncErrorType.Network));
            Assert.That(_h.Server.PushCount, Is.EqualTo(4));
            Assert.That(_h.EventsOf<SyncFailed>().Select(e => e.Timestamp), Is.EqualTo(new[] { T0, At(1), At(3), At(7) }));
            Assert.That(_h.Starts().Skip(2).Select(s => s.Trigger), Is.All.EqualTo(SyncTrigger.RetryDue));
        });

        // Nothing is armed any more.
        await _h.AdvanceToAsync(29);
        Assert.That(_h.Server.PushCount, Is.EqualTo(4));
    }

    [Test]
    public async Task TransientFailure_ThenSuccess_CompletesAndCountsRetry()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        await _h.QueueCreateAsync("a", SyncPriority.High);
        var first = _h.EventsOf<SyncCompleted>()[1].Result; // [0] is the start-up drain

        await _h.AdvanceToAsync(1);
        var second = _h.EventsOf<SyncCompleted>().Last().Result;
        Assert.Multiple(() =>
        {
            Assert.That((first.Success, first.RetriedOperations, first.Errors.Count), Is.EqualTo((false, 1, 1)));
            Assert.That((second.Success, second.ProcessedOperations), Is.EqualTo((true, 1)));
            Assert.That(_h.ServerHas("a"), Is.True);
        });
    }

    [Test]
    public async Task TransientFailure_RandomUnitOne_DelayJitteredUpByConfiguredFraction()
    {
        await StartAsync(SyncConfiguration.Default with { RetryJitter = 0.1 }, randomUnit: 1.0);
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.That(stored!.ScheduledAt, Is.EqualTo(At(1.1)));
    }

    [Test]
    public async Task TransientFailure_RetryAfterLongerThanBackoff_Honoured()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.Network, retryAfter: TimeSpan.FromSeconds(10));
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        Assert.That((await _h.Queue.GetOperationAsync(op.Id))!.ScheduledAt, Is.EqualTo(At(10)));

        await _h.AdvanceToAsync(9.9);
        Assert.That(_h.ServerHas("a"), Is.False);
        await _h.AdvanceToAsync(10);
        Assert.That(_h.ServerHas("a"), Is.True);
    }

    [Test]
    public async Task TransientFailure_RetryAfterBeyondMaxDelay_CappedAtMaxRetryDelay()
    {
        await StartAsync(SyncConfiguration.Default with { MaxRetryDelay = TimeSpan.FromMinutes(5) });
        _h.Server.EnqueuePushFailure(SyncErrorType.Network, retryAfter: TimeSpan.FromHours(1));
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        Assert.That((await _h.Queue.GetOperationAsync(op.Id))!.ScheduledAt, Is.EqualTo(At(300)));
    }

    [Test]
    public async Task TransientFailure_RestOfQueueWaitsForRetryTimer_ThenAllGo()
    {
        // Batches of one, two pushes on the wire: a fails, b (already sent) goes through, c waits unsent.
        await StartAsync(SyncConfiguration.Default with { BatchSize = 1, MaxPushesInFlight = 2 });
        _h.Engine.Pause();
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.QueueCreateAsync("b", SyncPriority.High);
        var c = await _h.QueueCreateAsync("c", SyncPriority.High);
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        _h.Engine.Resume();
        await _h.IdleAsync();
        var cAfterFailure = await _h.Queue.GetOperationAsync(c.Id);
        Assert.Multiple(() =>
        {
            Assert.That(_h.Server.PushCount, Is.EqualTo(2), "the drain stops at a transient failure instead of spending c's retries");
            Assert.That(_h.ServerHas("b"), Is.True, "the push on the wire beside the failed one was recorded");
            Assert.That(cAfterFailure!.RetryCount, Is.Zero);
        });

        await _h.AdvanceToAsync(1);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("c"), Is.True);
            Assert.That(_h.Server.PushCount, Is.EqualTo(4));
        });
    }

    [Test]
    public async Task TransientFailure_OnePushInFlight_RestOfQueueWaitsForRetryTimer_ThenAllGo()
    {
        await StartAsync(SyncConfiguration.Default with { BatchSize = 1, MaxPushesInFlight = 1 });
        _h.Engine.Pause();
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.QueueCreateAsync("b", SyncPriority.High);
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        _h.Engine.Resume();
        await _h.IdleAsync();
        Assert.That(_h.Server.PushCount, Is.EqualTo(1), "the drain stops at a transient failure instead of spending b's retries");

        await _h.AdvanceToAsync(1);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Server.PushCount, Is.EqualTo(3));
        });
    }

    [Test]
    public async Task RetryFallingDueAfterLastTakeBeforeTimerArmed_FiresAtOnce()
    {
        // a is retried at 1 s, b at 1.5 s; the timer can hold only the earliest. The drain at 1 s takes a, finds
        // nothing else due, then pulls; the pull runs past 1.5 s. b must not wait for the sync interval.
        await StartWithRetriesOfAAtOneAndBAtOneAndAHalfSecondsAsync();
        Assert.That(_h.ServerHas("a") || _h.ServerHas("b"), Is.False, "both pushes failed");

        _h.Server.HoldPulls();
        _h.Scheduler.AdvanceTo(At(1));
        await WaitForHeldPullAsync();
        _h.Scheduler.AdvanceTo(At(2));
        _h.Server.ReleaseHeldPulls();
        await _h.IdleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a"), Is.True);
            Assert.That(_h.ServerHas("b"), Is.True, "b fell due during the pull and was sent right after it");
            Assert.That(_h.Starts().Last(), Is.EqualTo((SyncTrigger.RetryDue, At(2))));
        });
    }

    [Test]
    public async Task RetryFallingDueDuringFailingPush_WaitsForThatBatchsRetry()
    {
        // a is retried at 1 s, b at 1.5 s. a's retry is pushed at 1 s and fails at 2 s: b, due since 1.5 s, waits with
        // the rest of the queue for a's next retry instead of going to an unwell server at once.
        await StartWithRetriesOfAAtOneAndBAtOneAndAHalfSecondsAsync();

        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        _h.Server.HoldPushes();
        _h.Scheduler.AdvanceTo(At(1));
        await WaitForHeldPushAsync();
        _h.Scheduler.AdvanceTo(At(2));
        _h.Server.ReleaseHeldPushes();
        await _h.IdleAsync();
        Assert.That(_h.ServerHas("b"), Is.False, "b waits for a's retry");

        await _h.AdvanceToAsync(4);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Starts().Last(), Is.EqualTo((SyncTrigger.RetryDue, At(4))), "a's second retry: 2 s after 2 s");
            Assert.That(_h.Server.PushCount, Is.EqualTo(4), "a, b, a failing, then one push for both");
        });
    }

    [Test]
    public async Task TransientFailureAfterApplying_Retry_AnsweredDuplicateAndAppliedOnce()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.Network, afterApplying: true);
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.AdvanceToAsync(1);
        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.Null);
            Assert.That(_h.Server.OperationsApplied, Is.EqualTo(1));
            Assert.That(_h.EventsOf<SyncCompleted>().Last().Result.ProcessedOperations, Is.EqualTo(1));
        });
    }

    // Errors by kind

    [Test]
    public async Task Rejected_FailsWithServerMessage_OthersNotBlocked()
    {
        await StartAsync();
        _h.Server.SetValidator(ResourceType.Post, op => op.ResourceId == "bad" ? "title is too long" : null);
        _h.Engine.Pause();
        var bad = await _h.QueueCreateAsync("bad");
        var dependent = await _h.Engine.QueueOperationAsync(Create("child") with { DependsOn = [bad.Id] });
        var good = await _h.QueueCreateAsync("good");
        _h.Engine.Resume();
        await _h.IdleAsync();

        var failed = await _h.Queue.GetOperationAsync(bad.Id);
        var goodLeft = await _h.Queue.GetOperationAsync(good.Id);
        var dependentNow = await _h.Queue.GetOperationAsync(dependent.Id);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("good"), Is.True);
            Assert.That(goodLeft, Is.Null);
            Assert.That(failed!.State, Is.EqualTo(OperationState.Failed));
            Assert.That(failed.ErrorMessage, Is.EqualTo("title is too long"));
            Assert.That(failed.ErrorType, Is.EqualTo(SyncErrorType.Validation));
            Assert.That(dependentNow!.State, Is.EqualTo(OperationState.Pending), "dependents of the failed operation wait");
            var result = _h.EventsOf<SyncCompleted>().Last().Result;
            Assert.That((result.Success, result.ProcessedOperations, result.FailedOperations), Is.EqualTo((true, 1, 1)));
        });
    }

    [Test]
    public async Task NonRetryableBatchFailure_FailsEachOperation_NoRetryArmed()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncError.Of(SyncErrorType.QuotaExceeded, "request too large", statusCode: 413));
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);
        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Failed));
            Assert.That(stored.ErrorType, Is.EqualTo(SyncErrorType.QuotaExceeded));
            Assert.That(stored.RetryCount, Is.EqualTo(0));
            Assert.That(_h.EventsOf<SyncFailed>().Single().Error.Type, Is.EqualTo(SyncErrorType.QuotaExceeded));
        });
    }

    [Test]
    public async Task Conflict_PromptUser_ParkedEmittedAndInResult()
    {
        await StartAsync(SyncConfiguration.Default with
        {
            ConflictResolutionDefaults = new Dictionary<ResourceType, ConflictResolutionStrategy>
            {
                [ResourceType.Post] = ConflictResolutionStrategy.PromptUser,
            },
        });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "v1" });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "server" });
        var op = await _h.Engine.QueueOperationAsync(Update("p", baseVersion: 1, SyncPriority.High));
        await _h.IdleAsync();

        var stored = await _h.Queue.GetOperationAsync(op.Id);
        var conflict = _h.Conflicts.Single();
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Conflict));
            Assert.That(conflict.OperationId, Is.EqualTo(op.Id));
            Assert.That(conflict.ServerVersion, Is.EqualTo(2));
            Assert.That(conflict.ServerData!["title"]!.GetValue<string>(), Is.EqualTo("server"));
            Assert.That(conflict.Strategy, Is.EqualTo(ConflictResolutionStrategy.PromptUser));
            Assert.That(_h.EventsOf<ConflictDetected>().Single().Conflict, Is.EqualTo(conflict));
            Assert.That(_h.EventsOf<SyncCompleted>().Last().Result.Conflicts, Is.EqualTo(new[] { conflict }));
        });
    }

    [Test]
    public async Task Conflict_ResolverResends_SentAgainAgainstServerVersionInSameDrain()
    {
        OfflineOperation? seen = null;
        await StartAsync(resolver: (op, conflict, _) =>
        {
            seen = op;
            return ValueTask.FromResult<ConflictDecision>(new ConflictDecision.Resend(
                op.Type, op.Data, conflict.ServerVersion, conflict with { Note = "client wins" }));
        });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "v1", ["body"] = "b" });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "server", ["body"] = "b" });
        var op = await _h.Engine.QueueOperationAsync(Update("p", baseVersion: 1, SyncPriority.High));
        await _h.IdleAsync();

        var server = _h.Server.GetResource(ResourceType.Post, "p")!;
        var stored = await _h.Queue.GetOperationAsync(op.Id);
        var result = _h.EventsOf<SyncCompleted>().Last().Result;
        Assert.Multiple(() =>
        {
            Assert.That(seen!.Id, Is.EqualTo(op.Id));
            Assert.That(stored, Is.Null);
            Assert.That(server.Version, Is.EqualTo(3));
            Assert.That(server.Data!["title"]!.GetValue<string>(), Is.EqualTo("changed"));
            Assert.That(_h.Conflicts.Single().Note, Is.EqualTo("client wins"));
            Assert.That((result.ProcessedOperations, result.Conflicts.Count), Is.EqualTo((1, 1)));
            Assert.That(_h.Server.PushCount, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task Conflict_ResolverDiscards_OperationRemovedServerUnchanged()
    {
        await StartAsync(resolver: (_, conflict, _) => ValueTask.FromResult<ConflictDecision>(new ConflictDecision.Drop(conflict, conflict.ServerData, conflict.ServerVersion, conflict.ServerDeleted)));
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "v1" });
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject { ["title"] = "server" });
        var op = await _h.Engine.QueueOperationAsync(Update("p", baseVersion: 1, SyncPriority.High));
        await _h.IdleAsync();

        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored, Is.Null);
            Assert.That(_h.Server.GetResource(ResourceType.Post, "p")!.Version, Is.EqualTo(2));
            Assert.That(_h.EventsOf<ConflictDetected>(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task Conflict_ResolverThrows_ParkedWithNote()
    {
        await StartAsync(resolver: (_, _, _) => throw new InvalidOperationException("resolver bug"));
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject());
        _h.Server.PutResource(ResourceType.Post, "p", new JsonObject());
        var op = await _h.Engine.QueueOperationAsync(Update("p", baseVersion: 1, SyncPriority.High));
        await _h.IdleAsync();

        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Conflict));
            Assert.That(_h.Conflicts.Single().Note, Does.Contain("resolver bug"));
        });
    }

    [Test]
    public async Task GoingOfflineDuringDrain_StopsAfterBatchesInHand_NoRetryUsed()
    {
        // Batches of one, two pushes on the wire: a and b on it, c taken to follow them.
        await StartAsync(SyncConfiguration.Default with { BatchSize = 1, MaxPushesInFlight = 2 });
        _h.Engine.Pause();
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.QueueCreateAsync("b", SyncPriority.High);
        var c = await _h.QueueCreateAsync("c", SyncPriority.High);
        _h.Server.HoldPushes();
        _h.Engine.Resume();
        await WaitForHeldPushesAsync(2);

        _h.Network.SetOnline(false);
        _h.Server.ReleaseHeldPushes();
        await _h.IdleAsync();
        var left = await _h.InStateAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(_h.Server.PushCount, Is.EqualTo(2));
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True, "the pushes on the wire were answered and recorded");
            Assert.That(left.Select(o => (o.Id, o.RetryCount)), Is.EqualTo(new[] { (c.Id, 0) }));
        });

        await _h.SetOnlineAsync(true);
        Assert.That(_h.ServerHas("c"), Is.True);
    }

    [Test]
    public async Task GoingOfflineDuringDrain_OnePushInFlight_StopsAfterBatchInHand_NoRetryUsed()
    {
        await StartAsync(SyncConfiguration.Default with { BatchSize = 1, MaxPushesInFlight = 1 });
        _h.Engine.Pause();
        var a = await _h.QueueCreateAsync("a", SyncPriority.High);
        var b = await _h.QueueCreateAsync("b", SyncPriority.High);
        _h.Server.HoldPushes();
        _h.Engine.Resume();
        await WaitForHeldPushAsync();

        _h.Network.SetOnline(false);
        _h.Server.ReleaseHeldPushes();
        await _h.IdleAsync();
        var left = await _h.InStateAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(_h.Server.PushCount, Is.EqualTo(1));
            Assert.That(left.Select(o => (o.Id, o.RetryCount)), Is.EqualTo(new[] { (b.Id, 0) }));
        });

        await _h.SetOnlineAsync(true);
        Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
    }

    [Test]
    public async Task SyncNowAsync_WaitingBehindDrainWhenNetworkDrops_ThrowsNetworkSyncException()
    {
        await StartAsync();
        _h.Server.HoldPushes();
        await _h.Engine.QueueOperationAsync(Create("a", SyncPriority.High));
        await WaitForHeldPushAsync();
        var manual = _h.Engine.SyncNowAsync();

        _h.Network.SetOnline(false);
        var ex = await Assert.ThrowsAsync<SyncException>(() => manual.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(ex!.Error.Type, Is.EqualTo(SyncErrorType.Network));
        _h.Server.ReleaseHeldPushes();
        await _h.IdleAsync();
    }

    [Test]
    public async Task AuthenticationFailure_PausesWithoutUsingRetries_ResumesOnRenewal()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.Authentication);
        var op = await _h.QueueCreateAsync("a", SyncPriority.High);

        var stored = await _h.Queue.GetOperationAsync(op.Id);
        var status = await _h.Engine.GetOfflineStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That((stored!.State, stored.RetryCount, stored.ScheduledAt), Is.EqualTo((OperationState.Pending, 0, T0)));
            Assert.That(_h.EventsOf<AuthenticationRequired>(), Has.Count.EqualTo(1));
            Assert.That(status.AuthenticationRequired, Is.True);
        });

        // Nothing is sent while waiting: not on new writes, not on the interval.
        await _h.QueueCreateAsync("b", SyncPriority.High);
        await _h.AdvanceToAsync(65);
        Assert.That(_h.Server.PushCount, Is.EqualTo(1));
        var refused = await Assert.ThrowsAsync<SyncException>(() => _h.Engine.SyncNowAsync());
        Assert.That(refused!.Error.Type, Is.EqualTo(SyncErrorType.Authentication));

        _h.Tokens.Renew();
        await _h.IdleAsync();
        var after = await _h.Engine.GetOfflineStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Starts().Last(), Is.EqualTo((SyncTrigger.Resumed, At(65))));
            Assert.That(after.AuthenticationRequired, Is.False);
        });
    }

    [Test]
    public async Task AuthenticationFailure_NotifyCredentialsRenewed_Resumes()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.Authentication);
        await _h.QueueCreateAsync("a", SyncPriority.High);
        Assert.That(_h.ServerHas("a"), Is.False);

        _h.Engine.NotifyCredentialsRenewed();
        await _h.IdleAsync();
        Assert.That(_h.ServerHas("a"), Is.True);
    }

    // Gate and concurrency

    [Test]
    public async Task PauseResume_NothingSentWhilePaused_ResumeSyncsOnce()
    {
        await StartAsync();
        _h.Engine.Pause();
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.QueueCreateAsync("b");
        await _h.AdvanceToAsync(100);
        Assert.That(_h.Server.PushCount, Is.EqualTo(0));

        _h.Engine.Resume();
        await _h.IdleAsync();
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Starts(), Is.EqualTo(new[] { (SyncTrigger.Startup, T0), (SyncTrigger.Resumed, At(100)) }));
        });
    }

    [Test]
    public async Task EnableAutoSync_OffDropsTriggers_OnSyncsPending()
    {
        await StartAsync();
        _h.Engine.EnableAutoSync(false);
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.AdvanceToAsync(100);
        Assert.That(_h.Server.PushCount, Is.EqualTo(0));

        _h.Engine.EnableAutoSync(true);
        await _h.IdleAsync();
        Assert.That(_h.ServerHas("a"), Is.True);
    }

    [Test]
    public async Task OfflineThenOnline_QueuedWhileOfflineDrainedOnReconnect()
    {
        await StartAsync();
        await _h.SetOnlineAsync(false);
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.QueueCreateAsync("b", SyncPriority.Low);
        await _h.AdvanceToAsync(50);
        Assert.That(_h.Server.PushCount, Is.EqualTo(0));

        await _h.SetOnlineAsync(true);
        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b"), Is.True);
            Assert.That(_h.Starts().Last(), Is.EqualTo((SyncTrigger.NetworkOnline, At(50))));
            Assert.That(_h.EventsOf<NetworkStatusChanged>().Select(e => e.IsOnline), Is.EqualTo(new[] { false, true }));
        });
    }

    [Test]
    public async Task TriggersDuringDrain_OneDrainAtATime_ExactlyOneMorePass()
    {
        await StartAsync(SyncConfiguration.Default with { BatchSize = 1 });
        _h.Server.HoldPushes();
        await _h.Engine.QueueOperationAsync(Create("a", SyncPriority.High));
        await WaitForHeldPushAsync();

        // Three more triggers while the first drain waits on the server.
        await _h.Engine.QueueOperationAsync(Create("b", SyncPriority.High));
        await _h.Engine.QueueOperationAsync(Create("c", SyncPriority.High));
        var manual = _h.Engine.SyncNowAsync();
        Assert.That(_h.Server.HeldPushes, Is.EqualTo(1));

        _h.Server.ReleaseHeldPushes();
        var result = await manual.WaitAsync(TimeSpan.FromSeconds(10));
        await _h.IdleAsync();

        Assert.Multiple(() =>
        {
            Assert.That(_h.ServerHas("a") && _h.ServerHas("b") && _h.ServerHas("c"), Is.True);
            Assert.That(_h.Starts().Skip(1).Select(s => s.Trigger), Is.EqualTo(new[] { SyncTrigger.QueueChanged, SyncTrigger.Manual }),
                "one drain, then exactly one more for the three triggers that came during it");
            Assert.That(_h.Server.PushCount, Is.EqualTo(3), "the first drain took b and c too, one batch each");
            Assert.That(result.ProcessedOperations, Is.EqualTo(0), "the extra pass found nothing left");
        });
    }

    [Test]
    public async Task DisposeAsync_DuringPush_LeavesNothingInFlight()
    {
        await StartAsync();
        _h.Server.HoldPushes();
        var op = await _h.Engine.QueueOperationAsync(Create("a", SyncPriority.High));
        await WaitForHeldPushAsync();
        Assert.That((await _h.InStateAsync(OperationState.InFlight)).Select(o => o.Id), Is.EqualTo(new[] { op.Id }));

        await _h.Engine.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(10));

        var inFlight = await _h.InStateAsync(OperationState.InFlight);
        var pending = await _h.InStateAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(inFlight, Is.Empty);
            Assert.That(pending.Select(o => (o.Id, o.RetryCount)), Is.EqualTo(new[] { (op.Id, 0) }));
            Assert.That(_h.ServerHas("a"), Is.False);
        });
    }

    [Test]
    public async Task Restart_AfterDispose_SyncsWhatWasLeft()
    {
        await StartAsync();
        _h.Server.HoldPushes();
        await _h.Engine.QueueOperationAsync(Create("a", SyncPriority.High));
        await WaitForHeldPushAsync();
        await _h.Engine.DisposeAsync();
        _h.Server.ReleaseHeldPushes();

        await _h.CreateEngineAsync(SyncConfiguration.Default);
        Assert.That(_h.ServerHas("a"), Is.True);
    }

    [Test]
    public async Task Status_ReflectsQueueAndSync_ReplaysCurrent()
    {
        await StartAsync();
        _h.Engine.Pause();
        await _h.QueueCreateAsync("a");
        OfflineStatus? seen = null;
        using (_h.Engine.Status.Subscribe(s => seen = s))
        {
            Assert.That(seen, Is.Not.Null, "replays the current status on subscribe");
            Assert.Multiple(() =>
            {
                Assert.That(seen!.IsOnline, Is.True);
                Assert.That(seen.IsPaused, Is.True);
                Assert.That(seen.PendingOperations, Is.EqualTo(1));
                Assert.That(seen.IsSyncing, Is.False);
                Assert.That(seen.LastSyncTime, Is.EqualTo(T0));
            });
        }

        await _h.AdvanceToAsync(3);
        _h.Engine.Resume();
        await _h.IdleAsync();
        var status = await _h.Engine.GetOfflineStatusAsync();
        Assert.Multiple(() =>
        {
            Assert.That(status.PendingOperations, Is.EqualTo(0));
            Assert.That(status.IsPaused, Is.False);
            Assert.That(status.LastSyncTime, Is.EqualTo(At(3)));
        });
    }

    [Test]
    public async Task Events_OneDrain_StartedThenCompleted()
    {
        await StartAsync();
        await _h.QueueCreateAsync("a", SyncPriority.High);
        var kinds = _h.Events.Skip(2).Select(e => e.GetType()).ToList();
        Assert.That(kinds, Is.EqualTo(new[] { typeof(OperationQueued), typeof(SyncStarted), typeof(SyncCompleted) }));
    }

    private Task WaitForHeldPushAsync() => WaitForHeldPushesAsync(1);

    private Task WaitForHeldPushesAsync(int count) =>
        Eventually.WaitAsync(
            () => _h.Server.HeldPushes == count, $"the server holds {count} pushes", TimeSpan.FromSeconds(10), () => $"{_h.Server.HeldPushes} held");

    /// <summary>a's push fails at 0 s and b's at 0.5 s: a is retried at 1 s, b at 1.5 s.</summary>
    private async Task StartWithRetriesOfAAtOneAndBAtOneAndAHalfSecondsAsync()
    {
        await StartAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        await _h.QueueCreateAsync("a", SyncPriority.High);
        await _h.AdvanceToAsync(0.5);
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        await _h.QueueCreateAsync("b", SyncPriority.High);
    }

    private Task WaitForHeldPullAsync() =>
        Eventually.WaitAsync(
            () => _h.Server.HeldPulls == 1, "the server holds one pull", TimeSpan.FromSeconds(10), () => $"{_h.Server.HeldPulls} held");
}
