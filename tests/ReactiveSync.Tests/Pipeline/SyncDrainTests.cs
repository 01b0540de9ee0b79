using ReactiveSync.Downloads;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Tests.Queue;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>
/// The drain's answer to a push the server finds too large (413/507): it pushes the batch in halves, so an oversized
/// operation fails alone, and a half that stops the drain (credentials, transient failure) holds back the unsent half
/// the same way, without failing it. And its pipelining: up to MaxPushesInFlight pushes are on the wire and the next batch
/// is taken meanwhile, never with a later operation on a resource in flight; when the drain stops, the pushes on the wire
/// are settled and a batch taken but not sent is released unsent.
/// </summary>
public class SyncDrainTests
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

    [Test]
    public async Task RunAsync_PushTooLarge_PushesInHalvesAndAppliesEveryOperation()
    {
        await StartWithFourAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.QuotaExceeded);

        var result = await _h.Engine.SyncNowAsync();
        var stats = await _h.Queue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(result.ProcessedOperations, Is.EqualTo(4));
            Assert.That(result.FailedOperations, Is.Zero);
            Assert.That(_h.Server.OperationsApplied, Is.EqualTo(4));
            Assert.That(stats.Total, Is.Zero);
            Assert.That(_h.EventsOf<SyncFailed>(), Is.Empty, "a split that went through is not a failure");
        });
    }

    [Test]
    public async Task RunAsync_PushTooLargeThenCredentialsRefused_HoldsBackBothHalvesWithoutUsingRetries()
    {
        await StartWithFourAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.QuotaExceeded);
        _h.Server.EnqueuePushFailure(SyncErrorType.Authentication);

        await _h.Engine.SyncNowAsync();
        var pending = await _h.InStateAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(pending, Has.Count.EqualTo(4), "the unsent half is released too, not left in flight");
            Assert.That(pending.Select(o => o.RetryCount), Is.All.Zero);
            Assert.That(_h.Server.OperationsApplied, Is.Zero);
            Assert.That(_h.EventsOf<AuthenticationRequired>(), Has.Count.EqualTo(1));
            Assert.That(_h.EventsOf<SyncFailed>(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_PushTooLargeThenTransientFailure_SchedulesARetryForBothHalves()
    {
        await StartWithFourAsync();
        _h.Server.EnqueuePushFailure(SyncErrorType.QuotaExceeded);
        _h.Server.EnqueuePushFailure(SyncErrorType.Network);

        var result = await _h.Engine.SyncNowAsync();
        var pending = await _h.InStateAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(pending, Has.Count.EqualTo(4));
            Assert.That(pending.Select(o => o.RetryCount), Is.All.EqualTo(1));
            Assert.That(pending.Select(o => o.ErrorType), Is.All.EqualTo(SyncErrorType.Network));
            Assert.That(result.RetriedOperations, Is.EqualTo(4));
            Assert.That(_h.EventsOf<SyncFailed>(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_SingleOperationTooLarge_FailsWithQuotaExceededAndIsKept()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false });
        var op = await _h.Queue.QueueOperationAsync(EngineHarness.Create("big"));
        _h.Server.EnqueuePushFailure(SyncErrorType.QuotaExceeded);

        var result = await _h.Engine.SyncNowAsync();
        var stored = await _h.Queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(result.FailedOperations, Is.EqualTo(1));
            Assert.That(stored!.State, Is.EqualTo(OperationState.Failed));
            Assert.That(stored.ErrorType, Is.EqualTo(SyncErrorType.QuotaExceeded));
        });
    }

    [TestCase(1)]
    [TestCase(2)]
    public async Task RunAsync_PushesOnTheWire_TakeOneBatchAheadButNoLaterOperationOnAResourceInFlight(int maxPushesInFlight)
    {
        // Batches of two: the wire's pushes and one batch ahead hold every create; coalescing off, so the update on "a"
        // stays a later operation of its own.
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with
        {
            AutoSyncEnabled = false, BatchSize = 2, MaxPushesInFlight = maxPushesInFlight, CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post },
        });
        var creates = 2 * (maxPushesInFlight + 1);
        foreach (var i in Enumerable.Range(0, creates))
        {
            await _h.Queue.QueueOperationAsync(EngineHarness.Create(i == 0 ? "a" : $"r{i}"));
        }

        var later = await _h.Queue.QueueOperationAsync(EngineHarness.Update("a", baseVersion: 1));
        _h.Server.HoldPushes();

        var sync = _h.Engine.SyncNowAsync();
        await Eventually.WaitAsync(
            async () => _h.Server.HeldPushes == maxPushesInFlight && (await _h.Queue.GetQueueStatsAsync()).InFlight == creates,
            "the wire is full and one more batch is taken to follow");
        var laterWhileHeld = await _h.Queue.GetOperationAsync(later.Id);
        var receivedWhileHeld = _h.Server.PushCount;
        _h.Server.ReleaseHeldPushes();
        var result = await sync;

        Assert.Multiple(() =>
        {
            Assert.That(laterWhileHeld!.State, Is.EqualTo(OperationState.Pending), "a later operation on a resource in flight waits");
            Assert.That(receivedWhileHeld, Is.EqualTo(maxPushesInFlight), "no push beyond the wire's room before the first is answered");
            Assert.That(result.ProcessedOperations, Is.EqualTo(creates + 1));
            Assert.That(_h.Server.GetResource(ResourceType.Post, "a")!.Version, Is.EqualTo(2), "the update came after its create");
        });
    }

    [Test]
    public async Task RunAsync_DefaultConfiguration_PutsThreePushesOnTheWireAndTakesOneBatchAhead()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false, BatchSize = 2 });
        foreach (var id in new[] { "a", "b", "c", "d", "e", "f", "g", "h", "i", "j" })
        {
            await _h.Queue.QueueOperationAsync(EngineHarness.Create(id));
        }

        _h.Server.HoldPushes();
        var sync = _h.Engine.SyncNowAsync();
        await Eventually.WaitAsync(
            async () => _h.Server.HeldPushes == 3 && (await _h.Queue.GetQueueStatsAsync()).InFlight == 8,
            "three pushes are on the wire and a fourth batch is taken to follow them");
        var pushesWhileHeld = _h.Server.PushCount;
        var pendingWhileHeld = (await _h.Queue.GetQueueStatsAsync()).Pending;
        _h.Server.ReleaseHeldPushes();
        var result = await sync;

        Assert.Multiple(() =>
        {
            Assert.That(pushesWhileHeld, Is.EqualTo(3));
            Assert.That(pendingWhileHeld, Is.EqualTo(2), "the fifth batch waits in the queue");
            Assert.That(result.ProcessedOperations, Is.EqualTo(10));
        });
    }

    [Test]
    public async Task RunAsync_FirstOfTwoPushesFailsTransiently_RecordsTheSecondsAnswerAndReleasesTheBatchTakenMeanwhile()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false, BatchSize = 2, MaxPushesInFlight = 2 });
        var ops = new List<OfflineOperation>();
        foreach (var id in new[] { "a", "b", "c", "d", "e", "f" })
        {
            ops.Add(await _h.Queue.QueueOperationAsync(EngineHarness.Create(id)));
        }

        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        var result = await _h.Engine.SyncNowAsync();
        var pending = (await _h.InStateAsync(OperationState.Pending)).ToDictionary(o => o.Id);
        Assert.Multiple(() =>
        {
            Assert.That(pending.Keys, Is.EquivalentTo(new[] { ops[0].Id, ops[1].Id, ops[4].Id, ops[5].Id }), "the second push was answered and recorded");
            Assert.That(ops.Take(2).Select(o => pending[o.Id].RetryCount), Is.All.EqualTo(1), "the failed batch waits for its retry");
            Assert.That(ops.Skip(4).Select(o => pending[o.Id].RetryCount), Is.All.Zero, "the batch taken meanwhile was never sent");
            Assert.That(_h.Server.PushCount, Is.EqualTo(2));
            Assert.That(_h.Server.HasApplied("device-1", ops[2].Id) && _h.Server.HasApplied("device-1", ops[3].Id), Is.True);
            Assert.That(result.ProcessedOperations, Is.EqualTo(2));
            Assert.That(result.RetriedOperations, Is.EqualTo(2));
            Assert.That(result.Success, Is.False);
        });
    }

    [Test]
    public async Task RunAsync_CredentialsRefusedWithTwoPushesOnTheWire_HoldsBackEveryBatchWithoutUsingRetries()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false, BatchSize = 2, MaxPushesInFlight = 2 });
        foreach (var id in new[] { "a", "b", "c", "d", "e", "f" })
        {
            await _h.Queue.QueueOperationAsync(EngineHarness.Create(id));
        }

        _h.Server.EnqueuePushFailure(SyncErrorType.Authentication);
        _h.Server.EnqueuePushFailure(SyncErrorType.Authentication);
        await _h.Engine.SyncNowAsync();
        var pending = await _h.InStateAsync(OperationState.Pending);
        Assert.Multiple(() =>
        {
            Assert.That(pending, Has.Count.EqualTo(6), "nothing is left in flight");
            Assert.That(pending.Select(o => o.RetryCount), Is.All.Zero);
            Assert.That(_h.Server.OperationsApplied, Is.Zero);
            Assert.That(_h.Server.PushCount, Is.EqualTo(2), "the third batch was never sent");
            Assert.That(_h.EventsOf<AuthenticationRequired>(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task RunAsync_OnePushInFlightTransientFailureWithNextBatchTaken_ReleasesTheNextBatchUnsentWithoutARetry()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false, BatchSize = 2, MaxPushesInFlight = 1 });
        var ops = new List<OfflineOperation>();
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            ops.Add(await _h.Queue.QueueOperationAsync(EngineHarness.Create(id)));
        }

        _h.Server.EnqueuePushFailure(SyncErrorType.Network);
        var result = await _h.Engine.SyncNowAsync();
        var pending = (await _h.InStateAsync(OperationState.Pending)).ToDictionary(o => o.Id);
        Assert.Multiple(() =>
        {
            Assert.That(pending, Has.Count.EqualTo(4), "nothing is left in flight");
            Assert.That(ops.Take(2).Select(o => pending[o.Id].RetryCount), Is.All.EqualTo(1), "the failed batch waits for its retry");
            Assert.That(ops.Skip(2).Select(o => pending[o.Id].RetryCount), Is.All.Zero, "the batch taken meanwhile was never sent");
            Assert.That(_h.Server.PushCount, Is.EqualTo(1));
            Assert.That(result.RetriedOperations, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RunAsync_OnePushInFlightThreeBatches_TakesEachLaterBatchInTheCommitThatCompletesAnEarlierOne()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false, BatchSize = 2, MaxPushesInFlight = 1 });
        foreach (var id in new[] { "a", "b", "c", "d", "e", "f" })
        {
            await _h.Queue.QueueOperationAsync(EngineHarness.Create(id));
        }

        var (commitsBefore, itemsBefore) = _h.Queue.GroupCommitCounts;
        var result = await _h.Engine.SyncNowAsync();
        var (commitsAfter, itemsAfter) = _h.Queue.GroupCommitCounts;

        // Writes: take 1; take 2 while push 1 is on the wire; complete 1 + take 3 (one write) while push 2 is; complete 2 +
        // take (nothing left) while push 3 is; complete 3; a last take that finds nothing. Separately, completions and
        // takes would be eight writes and eight commits.
        Assert.Multiple(() =>
        {
            Assert.That(result.ProcessedOperations, Is.EqualTo(6));
            Assert.That(_h.Server.PushCount, Is.EqualTo(3));
            Assert.That(itemsAfter - itemsBefore, Is.EqualTo(6), "queue writes");
            Assert.That(commitsAfter - commitsBefore, Is.EqualTo(6), "queue commits");
        });
    }

    [Test]
    public async Task RunAsync_OnePushInFlightRecordingFailsAfterTheNextBatchWasTaken_PutsThatBatchBackUnsent()
    {
        // Batches of two: the first answer lacks b's result, so after the commit that completes a and takes e and f, the
        // retry of b is written, and that write fails. The drain stops; e and f must not stay marked in flight.
        var scheduler = new LockedTestScheduler(EngineHarness.T0);
        var store = new FaultyOperationStore(new InMemoryOperationStore());
        var server = new InMemorySyncTransport(scheduler);
        using var network = new InMemoryNetworkMonitor(online: true);
        await using var engine = await CreateEngineAsync(store, new FirstAnswerShort(server), network, scheduler, batchSize: 2, maxPushesInFlight: 1);
        var ops = await engine.OperationQueue.QueueOperationsAsync(new[] { "a", "b", "c", "d", "e", "f" }.Select(id => EngineHarness.Create(id)).ToList());
        var before = store.Writes;
        store.FailCommit = number => number == before + 4; // take a+b, take c+d, complete a + take e+f, retry b

        var result = await engine.SyncNowAsync();
        var states = new Dictionary<string, OperationState?>();
        foreach (var op in ops)
        {
            states[op.ResourceId] = (await engine.OperationQueue.GetOperationAsync(op.Id))?.State;
        }

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.False);
            Assert.That(states["e"], Is.EqualTo(OperationState.Pending), "taken with a's completion, never sent");
            Assert.That(states["f"], Is.EqualTo(OperationState.Pending), "taken with a's completion, never sent");
            Assert.That(states["a"], Is.Null, "a was acknowledged and removed");
        });
    }

    [Test]
    public async Task RunAsync_SecondAnswerInBeforeTheFirst_RecordsBothInOneCommit()
    {
        // Batches of two, two pushes on the wire; the server holds the first and answers the second at once. When the
        // first answer arrives the second is already in, so both are completed by one queue write.
        var scheduler = new LockedTestScheduler(EngineHarness.T0);
        var server = new InMemorySyncTransport(scheduler);
        var transport = new HoldsTheFirstPush(server);
        using var network = new InMemoryNetworkMonitor(online: true);
        await using var engine = await CreateEngineAsync(new InMemoryOperationStore(), transport, network, scheduler, batchSize: 2, maxPushesInFlight: 2);
        await engine.OperationQueue.QueueOperationsAsync(new[] { "a", "b", "c", "d" }.Select(id => EngineHarness.Create(id)).ToList());
        var (commitsBefore, _) = engine.OperationQueue.GroupCommitCounts;

        var sync = engine.SyncNowAsync();
        await Eventually.WaitAsync(() => server.PushCount == 1 && transport.FirstHeld, "the first push is held and the second answered");
        transport.ReleaseFirst();
        var result = await sync;
        var (commitsAfter, _) = engine.OperationQueue.GroupCommitCounts;

        // Writes: take a+b; take c+d; a take that finds nothing; one completion of all four; a last take. Recorded one
        // answer at a time, the completions would be two writes (checked: 6 then).
        Assert.Multiple(() =>
        {
            Assert.That(result.ProcessedOperations, Is.EqualTo(4));
            Assert.That(commitsAfter - commitsBefore, Is.EqualTo(5), "queue commits");
        });
    }

    [Test]
    public async Task RunAsync_CancelledWhileTheNextBatchUploads_RecordsTheAnswerAlreadyIn()
    {
        // One push on the wire, batches of one: a's answer is in and waits to be recorded with the next step, while the
        // upload before u's push runs. The engine is disposed during that upload: a's answer must still be recorded,
        // not left in flight for a resend at the next start.
        var directory = Directory.CreateTempSubdirectory("rs-drain-cancel-");
        try
        {
            var file = Path.Combine(directory.FullName, "photo.bin");
            await File.WriteAllBytesAsync(file, [1, 2, 3]);
            var scheduler = new LockedTestScheduler(EngineHarness.T0);
            var server = new InMemorySyncTransport(scheduler);
            var transport = new UploadsUntilCancelled(server);
            var store = new InMemoryOperationStore();
            using var network = new InMemoryNetworkMonitor(online: true);
            var engine = await CreateEngineAsync(store, transport, network, scheduler, batchSize: 1, maxPushesInFlight: 1);
            var a = await engine.OperationQueue.QueueOperationAsync(EngineHarness.Create("a"));
            var u = await engine.OperationQueue.QueueOperationAsync(new OperationRequest
            {
                Type = OperationType.Upload,
                ResourceType = ResourceType.Post,
                ResourceId = "u",
                Data = ContentUploader.CreateOperationData(file),
            });

            var sync = engine.SyncNowAsync();
            await Eventually.WaitAsync(() => transport.UploadStarted, "u's upload started after a's push was answered");
            await engine.DisposeAsync();
            try
            {
                await sync;
            }
            catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException or SyncException)
            {
                // The sync was stopped by the dispose; what it left behind is what this test is about.
            }

            var inFlight = await store.GetByStateAsync(OperationState.InFlight, 0, 10);
            var pending = await store.GetByStateAsync(OperationState.Pending, 0, 10);
            var aLeft = await store.GetAsync(a.Id);
            Assert.Multiple(() =>
            {
                Assert.That(server.OperationsApplied, Is.EqualTo(1), "a reached the server");
                Assert.That(inFlight.Select(op => op.Id), Is.Empty, "nothing is left in flight");
                Assert.That(aLeft, Is.Null, "a was completed (removed from the queue)");
                Assert.That(pending.Select(op => op.Id), Is.EqualTo(new[] { u.Id }), "u was released, unsent");
            });
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// An engine over <paramref name="store"/> and <paramref name="transport"/>, online, with auto sync and pull off: one
    /// <c>SyncNowAsync</c> is one drain.
    /// </summary>
    private static Task<SyncEngine> CreateEngineAsync(
        IOperationStore store, ISyncTransport transport, InMemoryNetworkMonitor network, LockedTestScheduler scheduler, int batchSize, int maxPushesInFlight) =>
        SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = store,
            Transport = transport,
            NetworkMonitor = network,
            ClientId = "device-1",
            Scheduler = scheduler,
            Configuration = SyncConfiguration.Default with
            {
                AutoSyncEnabled = false, PullEnabled = false, BatchSize = batchSize, MaxPushesInFlight = maxPushesInFlight,
            },
        });

    /// <summary>Passes every call to the in-memory server; each test double below changes the one call it is about.</summary>
    private abstract class ForwardingTransport(InMemorySyncTransport inner) : ISyncTransport
    {
        protected InMemorySyncTransport Inner => inner;

        public TimeSpan ServerClockOffset => inner.ServerClockOffset;

        public virtual Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken) =>
            inner.PushAsync(clientId, operations, cancellationToken);

        public Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken) => inner.PullAsync(checkpoint, limit, cancellationToken);

        public virtual Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken) =>
            inner.UploadContentAsync(resourceId, content, contentType, cancellationToken);
    }

    /// <summary>Holds the first push until released; answers every later one before returning, so its answer is in at once.</summary>
    private sealed class HoldsTheFirstPush(InMemorySyncTransport server) : ForwardingTransport(server)
    {
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _pushes;
        private volatile bool _firstHeld;

        public bool FirstHeld => _firstHeld;

        public void ReleaseFirst() => _release.SetResult();

        public override Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken) =>
            Interlocked.Increment(ref _pushes) == 1 ? HeldAsync(clientId, operations, cancellationToken) : base.PushAsync(clientId, operations, cancellationToken);

        private async Task<IReadOnlyList<PushResult>> HeldAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken)
        {
            _firstHeld = true;
            await _release.Task.ConfigureAwait(false);
            return await Inner.PushAsync(clientId, operations, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Pushes through; an upload says it started, then waits until it is cancelled.</summary>
    private sealed class UploadsUntilCancelled(InMemorySyncTransport server) : ForwardingTransport(server)
    {
        private volatile bool _uploadStarted;

        public bool UploadStarted => _uploadStarted;

        public override async Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken)
        {
            _uploadStarted = true;
            var cancelled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            await using var registration = cancellationToken.Register(() => cancelled.TrySetCanceled(cancellationToken));
            await cancelled.Task.ConfigureAwait(false);
        }
    }

    /// <summary>Drops the last result of the first push's answer, as a malformed server answer would.</summary>
    private sealed class FirstAnswerShort(InMemorySyncTransport server) : ForwardingTransport(server)
    {
        private int _pushes;

        public override async Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken)
        {
            var results = await base.PushAsync(clientId, operations, cancellationToken);
            return Interlocked.Increment(ref _pushes) == 1 ? results.Take(results.Count - 1).ToList() : results;
        }
    }

    private async Task StartWithFourAsync()
    {
        _h = await EngineHarness.StartAsync(SyncConfiguration.Default with { AutoSyncEnabled = false });
        foreach (var id in new[] { "a", "b", "c", "d" })
        {
            await _h.Queue.QueueOperationAsync(EngineHarness.Create(id));
        }
    }
}
