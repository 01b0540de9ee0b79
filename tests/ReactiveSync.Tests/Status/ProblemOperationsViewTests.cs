using ReactiveSync.Collections;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Status;
using ReactiveSync.Tests.Pipeline;

namespace ReactiveSync.Tests.Status;

public class ProblemOperationsViewTests
{
    private static readonly SyncError Rejected = SyncError.Of(SyncErrorType.Validation, "rejected");

    private LockedTestScheduler _scheduler = null!;

    [SetUp]
    public void CreateScheduler() => _scheduler = new LockedTestScheduler(StatusTestEngine.T0);

    [Test]
    public async Task Connect_QueueHoldsEveryState_LoadsFailedConflictAndInFlightButNotPending()
    {
        await using var queue = await OpenQueueAsync(new InMemoryOperationStore());
        var failed = await QueueAsync(queue, "failed");
        var conflict = await QueueAsync(queue, "conflict");
        var inFlight = await QueueAsync(queue, "in-flight");
        await QueueAsync(queue, "pending");
        await queue.FailAsync(failed.Id, Rejected);
        await queue.ParkConflictAsync(conflict.Id, SyncError.Of(SyncErrorType.Conflict, "conflict"));
        await TakeAsync(queue, inFlight.Id);

        using var view = ProblemOperationsView.Start(queue);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);
        var states = Snapshot(view);

        Assert.That(states, Is.EquivalentTo(new Dictionary<string, OperationState>
        {
            ["failed"] = OperationState.Failed,
            ["conflict"] = OperationState.Conflict,
            ["in-flight"] = OperationState.InFlight,
        }));
    }

    [Test]
    public async Task Connect_MoreFailedThanOnePage_LoadsThemAll()
    {
        await using var queue = await OpenQueueAsync(new InMemoryOperationStore());
        var count = ProblemOperationsView.PageSize * 2 + 7;
        var ops = await queue.QueueOperationsAsync(
            Enumerable.Range(0, count).Select(i => StatusTestEngine.Create($"p{i}")).ToList());
        await Task.WhenAll(ops.Select(op => queue.FailAsync(op.Id, Rejected)));

        using var view = ProblemOperationsView.Start(queue);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);

        Assert.That(view.Count, Is.EqualTo(count));
    }

    [Test]
    public async Task Connect_AfterLoad_FollowsTheQueuesChanges()
    {
        await using var queue = await OpenQueueAsync(new InMemoryOperationStore());
        var a = await QueueAsync(queue, "a");
        var b = await QueueAsync(queue, "b");
        using var view = ProblemOperationsView.Start(queue);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);
        var changeSets = new List<IChangeSet<OfflineOperation, Guid>>();
        using var subscription = view.Connect().Subscribe(changeSets.Add);

        await queue.FailAsync(a.Id, Rejected);
        await TakeAsync(queue, b.Id);
        var afterFailures = Snapshot(view);
        await queue.RetryFailedOperationsAsync();
        await queue.CompleteAsync([b.Id]);
        var afterRetryAndComplete = view.Count;

        Assert.Multiple(() =>
        {
            Assert.That(afterFailures, Is.EquivalentTo(new Dictionary<string, OperationState> { ["a"] = OperationState.Failed, ["b"] = OperationState.InFlight }));
            Assert.That(afterRetryAndComplete, Is.Zero);
            Assert.That(changeSets.Select(c => (c.Adds, c.Removes)), Is.EqualTo(new[] { (1, 0), (1, 0), (0, 1), (0, 1) }));
        });
    }

    [Test]
    public async Task Connect_BatchTakenThenCompleted_OneChangeSetPerCommit()
    {
        await using var queue = await OpenQueueAsync(new InMemoryOperationStore());
        var ops = await queue.QueueOperationsAsync(new[] { "a", "b", "c" }.Select(id => StatusTestEngine.Create(id)).ToList());
        using var view = ProblemOperationsView.Start(queue);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);
        var changeSets = new List<IChangeSet<OfflineOperation, Guid>>();
        using var subscription = view.Connect().Subscribe(changeSets.Add);

        var taken = await queue.TakeBatchAsync(3);
        await queue.CompleteAsync(taken.Select(op => op.Id).ToList());

        Assert.Multiple(() =>
        {
            Assert.That(taken, Has.Count.EqualTo(ops.Count));
            Assert.That(changeSets.Select(c => (c.Adds, c.Removes)), Is.EqualTo(new[] { (3, 0), (0, 3) }));
            Assert.That(view.Count, Is.Zero);
        });
    }

    [Test]
    public async Task Connect_QueueCleared_EmptiesTheView()
    {
        await using var queue = await OpenQueueAsync(new InMemoryOperationStore());
        var a = await QueueAsync(queue, "a");
        await queue.FailAsync(a.Id, Rejected);
        using var view = ProblemOperationsView.Start(queue);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);
        var loaded = view.Count;

        await queue.ClearQueueAsync();

        Assert.Multiple(() =>
        {
            Assert.That(loaded, Is.EqualTo(1));
            Assert.That(view.Count, Is.Zero);
        });
    }

    [Test]
    public async Task Connect_OperationRemovedWhilePageWasInTransit_StalePageDoesNotBringItBack()
    {
        var store = new StaleReadStore(new InMemoryOperationStore());
        await using var queue = await OpenQueueAsync(store);
        var a = await QueueAsync(queue, "a");
        await queue.FailAsync(a.Id, Rejected);
        store.Hold();

        using var view = ProblemOperationsView.Start(queue);
        await store.ReadTaken.Task.WaitAsync(StatusTestEngine.Patience);
        await queue.RemoveOperationAsync(a.Id);
        store.Release();
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);

        Assert.That(view.Count, Is.Zero);
    }

    [Test]
    public async Task Connect_Disposed_CompletesSubscribers()
    {
        await using var queue = await OpenQueueAsync(new InMemoryOperationStore());
        var view = ProblemOperationsView.Start(queue);
        await view.Loaded.WaitAsync(StatusTestEngine.Patience);
        var completed = false;
        using var subscription = view.Connect().Subscribe(_ => { }, () => completed = true);

        view.Dispose();

        Assert.That(completed, Is.True);
    }

    [Test]
    public async Task ProblemOperations_EngineOpensOverStoreWithFailedOperation_ShowsIt()
    {
        await using var setup = new StatusTestEngine(online: false);
        var queue = await OpenQueueAsync(setup.Store);
        var a = await QueueAsync(queue, "a");
        await queue.FailAsync(a.Id, Rejected);
        await queue.DisposeAsync();

        var engine = await setup.StartAsync();
        await engine.ProblemOperations.Loaded.WaitAsync(StatusTestEngine.Patience);

        Assert.That(engine.ProblemOperations.Items.Select(op => op.Id), Is.EqualTo(new[] { a.Id }));
    }

    private static Dictionary<string, OperationState> Snapshot(ProblemOperationsView view) =>
        view.Items.ToDictionary(op => op.ResourceId, op => op.State);

    private Task<OperationQueue> OpenQueueAsync(IOperationStore store) =>
        OperationQueue.OpenAsync(store, SyncConfiguration.Default, _scheduler);

    private static Task<OfflineOperation> QueueAsync(OperationQueue queue, string resourceId) =>
        queue.QueueOperationAsync(StatusTestEngine.Create(resourceId));

    private static async Task TakeAsync(OperationQueue queue, Guid id)
    {
        // Take batches until the wanted operation is in flight; put the others back.
        var taken = await queue.TakeBatchAsync(100);
        await queue.ReleaseAsync(taken.Where(op => op.Id != id).Select(op => op.Id).ToList());
        Assert.That(taken.Select(op => op.Id), Does.Contain(id));
    }
}
