using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Events;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Pipeline;
using ReactiveSync.Queue;
using ReactiveSync.Reactive;
using ReactiveSync.Transport;

namespace ReactiveSync.DocSamples;

/// <summary>The samples of docs/testing.md.</summary>
public class TestingSamples : ReactiveTest
{
    // #region operator-test
    [Test]
    public void DebounceUnless_BurstOfMediumThenHigh_HighAtOnceMediumAfterQuiet()
    {
        var scheduler = new TestScheduler();
        var queued = scheduler.CreateHotObservable(
            OnNext(210, SyncPriority.Medium),
            OnNext(230, SyncPriority.Medium),
            OnNext(400, SyncPriority.High));

        var result = scheduler.Start(() => queued.DebounceUnless(
            TimeSpan.FromTicks(100), p => p >= SyncPriority.High, scheduler));

        result.Messages.AssertEqual(
            OnNext(330, SyncPriority.Medium),   // 100 ticks after the last of the burst
            OnNext(400, SyncPriority.High));    // at once
        queued.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }
    // #endregion
}

/// <summary>The engine samples of docs/testing.md: a whole engine on virtual time with the in-memory ports.</summary>
public class SyncEngineTestingSamples
{
    // #region engine-fixture
    private static readonly DateTimeOffset Start = new(2026, 11, 25, 9, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10); // real time, only if something is broken

    private SynchronizedTestScheduler _scheduler = null!;
    private InMemorySyncTransport _server = null!;
    private InMemoryNetworkMonitor _network = null!;
    private SyncEngine _engine = null!;

    [SetUp]
    public async Task CreateEngine()
    {
        _scheduler = new SynchronizedTestScheduler(Start); // a realistic clock: ids and timestamps derive from it
        _server = new InMemorySyncTransport(_scheduler); // the protocol's semantics, in memory
        _network = new InMemoryNetworkMonitor(online: false);
        _engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = new InMemoryOperationStore(),
            Transport = _server,
            NetworkMonitor = _network,
            ClientId = "test-device",
            Scheduler = _scheduler,
            RandomUnit = () => 0.5,                      // no jitter: retry delays are exact
        });
    }

    [TearDown]
    public async Task DisposeEngine()
    {
        await _engine.DisposeAsync();
        _network.Dispose();
    }

    /// <summary>The next event of type T, subscribed now, awaited later.</summary>
    private Task<T> Next<T>()
        where T : SyncEvent => _engine.Events.OfType<T>().FirstAsync().ToTask();
    // #endregion

    // #region engine-offline
    [Test]
    public async Task QueueOperationAsync_WhileOffline_KeepsItAndSyncsWhenOnline()
    {
        var post = await _engine.QueueOperationAsync(
            OperationType.Create, ResourceType.Post, "post-1", new JsonObject { ["title"] = "Hello" });

        var offline = await _engine.GetOfflineStatusAsync();
        Assert.That(offline.PendingOperations, Is.EqualTo(1));
        Assert.That(_server.PushCount, Is.Zero);

        var completed = Next<SyncCompleted>();
        _network.SetOnline(true);                        // the gate opens: one sync
        var result = (await completed.WaitAsync(Patience)).Result;

        Assert.Multiple(() =>
        {
            Assert.That(result.Success, Is.True);
            Assert.That(result.ProcessedOperations, Is.EqualTo(1));
            Assert.That(_server.HasApplied("test-device", post.Id), Is.True);
            Assert.That(_server.GetResource(ResourceType.Post, "post-1")?.Data?["title"]?.GetValue<string>(), Is.EqualTo("Hello"));
        });
    }
    // #endregion

    // #region engine-retry
    [Test]
    public async Task Sync_NetworkFailure_RetriesExactlyAfterTheBackoffDelay()
    {
        _server.EnqueuePushFailure(SyncErrorType.Network); // the next push fails (retryable)
        await _engine.QueueOperationAsync(
            OperationType.Create, ResourceType.Post, "post-1", new JsonObject { ["title"] = "Hello" }, SyncPriority.High);

        var failed = Next<SyncCompleted>();
        _network.SetOnline(true);
        Assert.That((await failed.WaitAsync(Patience)).Result.RetriedOperations, Is.EqualTo(1));

        // Default policy: the first retry waits InitialRetryDelay, 1 s. Nothing happens before it.
        _scheduler.AdvanceBy(TimeSpan.FromSeconds(1) - TimeSpan.FromTicks(1));
        Assert.That(_server.PushCount, Is.EqualTo(1));

        var retryStarted = Next<SyncStarted>();
        var retried = Next<SyncCompleted>();
        _scheduler.AdvanceBy(TimeSpan.FromTicks(1));      // the retry falls due: a sync starts
        Assert.That((await retryStarted.WaitAsync(Patience)).Trigger, Is.EqualTo(SyncTrigger.RetryDue));
        Assert.That((await retried.WaitAsync(Patience)).Result.ProcessedOperations, Is.EqualTo(1));
        Assert.That(_server.GetResource(ResourceType.Post, "post-1"), Is.Not.Null);
    }
    // #endregion
}

// #region synchronized-scheduler
/// <summary>
/// A <see cref="TestScheduler"/> that several threads may use at once: the engine's syncs continue on the thread pool
/// while the test advances virtual time. Every call takes one lock; actions run under it, on the advancing thread.
/// </summary>
public sealed class SynchronizedTestScheduler(DateTimeOffset start) : IScheduler
{
    private readonly object _gate = new();
    private readonly TestScheduler _inner = Started(start);

    public DateTimeOffset Now
    {
        get { lock (_gate) { return _inner.Now; } }
    }

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) =>
        Locked(() => _inner.Schedule(state, (_, s) => action(this, s)));

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) =>
        Locked(() => _inner.Schedule(state, dueTime, (_, s) => action(this, s)));

    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        Locked(() => _inner.Schedule(state, dueTime, (_, s) => action(this, s)));

    public void AdvanceBy(TimeSpan time)
    {
        lock (_gate)
        {
            _inner.AdvanceBy(time.Ticks);
        }
    }

    private IDisposable Locked(Func<IDisposable> schedule)
    {
        lock (_gate)
        {
            var scheduled = schedule();
            return Disposable.Create(() =>
            {
                lock (_gate)
                {
                    scheduled.Dispose();
                }
            });
        }
    }

    private static TestScheduler Started(DateTimeOffset start)
    {
        var scheduler = new TestScheduler();
        scheduler.AdvanceTo(start.UtcTicks);
        return scheduler;
    }
}
// #endregion
