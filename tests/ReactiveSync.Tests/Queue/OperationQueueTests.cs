using System.Reactive.Linq;
using System.Text.Json.Nodes;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Queue;

namespace ReactiveSync.Tests.Queue;

/// <summary>
/// The contract every <see cref="IOperationStore"/> must meet under an <see cref="OperationQueue"/>: run once per store
/// by a subclass that says how to make (and reopen) a store.
/// </summary>
public abstract class OperationQueueTests
{
    protected static readonly DateTimeOffset Start = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly List<OperationQueue> _open = [];

    protected TestScheduler Scheduler { get; private set; } = null!;

    /// <summary>Makes a fresh, empty store.</summary>
    protected abstract IOperationStore CreateStore();

    /// <summary>Makes a store over the same data as the last one made (a restart).</summary>
    protected abstract IOperationStore ReopenStore();

    [SetUp]
    public void SetUpScheduler()
    {
        Scheduler = new TestScheduler();
        Scheduler.AdvanceTo(Start.UtcTicks);
    }

    [TearDown]
    public async Task DisposeQueues()
    {
        foreach (var queue in _open)
        {
            await queue.DisposeAsync();
        }

        _open.Clear();
    }

    protected async Task<OperationQueue> OpenAsync(SyncConfiguration? configuration = null, IOperationStore? store = null)
    {
        var queue = await OperationQueue.OpenAsync(store ?? CreateStore(), configuration ?? SyncConfiguration.Default, Scheduler);
        _open.Add(queue);
        return queue;
    }

    protected async Task<OperationQueue> RestartAsync(OperationQueue queue, SyncConfiguration? configuration = null)
    {
        await queue.DisposeAsync();
        _open.Remove(queue);
        return await OpenAsync(configuration, ReopenStore());
    }

    protected static OperationRequest Create(string? resourceId = null, SyncPriority priority = SyncPriority.Medium, JsonNode? data = null, ResourceType? type = null) => new()
    {
        Type = OperationType.Create,
        ResourceType = type ?? ResourceType.Post,
        ResourceId = resourceId,
        Data = data ?? new JsonObject { ["title"] = "hello" },
        Priority = priority,
    };

    protected static OperationRequest Update(string resourceId, JsonNode? patch = null, SyncPriority priority = SyncPriority.Medium, long? baseVersion = null, ResourceType? type = null) => new()
    {
        Type = OperationType.Update,
        ResourceType = type ?? ResourceType.Post,
        ResourceId = resourceId,
        Data = patch ?? new JsonObject { ["title"] = "changed" },
        Priority = priority,
        BaseVersion = baseVersion,
    };

    protected static OperationRequest Delete(string resourceId, long? baseVersion = null, ResourceType? type = null) => new()
    {
        Type = OperationType.Delete,
        ResourceType = type ?? ResourceType.Post,
        ResourceId = resourceId,
        BaseVersion = baseVersion,
    };

    protected static SyncError NetworkError => SyncError.Of(SyncErrorType.Network, "unreachable");

    // ---- queueing and validation -------------------------------------------------------------

    [Test]
    public async Task QueueOperationAsync_ValidCreate_IsStoredPendingWithSequence()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        var stored = await queue.GetOperationAsync(op.Id);
        Assert.That(stored, Is.Not.Null);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.Sequence, Is.GreaterThan(0));
            Assert.That(stored.ResourceId, Is.EqualTo("p1"));
            Assert.That(stored.Data!.ToJsonString(), Is.EqualTo("""{"title":"hello"}"""));
            Assert.That(stored.CreatedAt, Is.EqualTo(Start));
            Assert.That(stored.ScheduledAt, Is.EqualTo(Start));
            Assert.That(stored.MaxRetries, Is.EqualTo(SyncConfiguration.Default.MaxRetries));
            Assert.That(stored.EverSent, Is.False);
        });
    }

    [Test]
    public async Task QueueOperationAsync_CreateWithoutIds_GetsVersion7Guids()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create());
        Assert.Multiple(() =>
        {
            Assert.That(op.Id.Version, Is.EqualTo(7));
            Assert.That(Guid.Parse(op.ResourceId).Version, Is.EqualTo(7));
        });
    }

    [Test]
    public async Task QueueOperationAsync_ConcurrentCallers_AllStoredWithDistinctIncreasingSequences()
    {
        var queue = await OpenAsync();
        var ops = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(() => queue.QueueOperationAsync(Create($"r{i}")))));
        var stats = await queue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(ops.Select(o => o.Sequence).Distinct().Count(), Is.EqualTo(200));
            Assert.That(stats.Pending, Is.EqualTo(200));
            Assert.That(stats.Total, Is.EqualTo(200));
        });
    }

    // ---- selection ---------------------------------------------------------------------------

    [Test]
    public async Task TakeBatchAsync_SameResource_TakesOnlyTheFirstThenTheNextAfterCompletion()
    {
        var queue = await OpenAsync(SyncConfiguration.Default with { CoalescingDisabledFor = new HashSet<ResourceType> { ResourceType.Post } });
        var first = await queue.QueueOperationAsync(Create("p1"));
        var second = await queue.QueueOperationAsync(Update("p1"));

        var batch1 = await queue.TakeBatchAsync(10);
        Assert.That(batch1.Select(o => o.Id), Is.EqualTo(new[] { first.Id }));
        Assert.That(batch1[0].State, Is.EqualTo(OperationState.InFlight));
        Assert.That(await queue.TakeBatchAsync(10), Is.Empty);

        await queue.CompleteAsync([first.Id]);
        var batch2 = await queue.TakeBatchAsync(10);
        Assert.That(batch2.Select(o => o.Id), Is.EqualTo(new[] { second.Id }));
    }

    [Test]
    public async Task TakeBatchAsync_MarksInFlightWithAttemptTimeAndEverSent()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        Scheduler.AdvanceBy(TimeSpan.FromSeconds(5).Ticks);
        await queue.TakeBatchAsync(1);
        var stored = await queue.GetOperationAsync(op.Id);
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.InFlight));
            Assert.That(stored.LastAttemptAt, Is.EqualTo(Start.AddSeconds(5)));
            Assert.That(stored.EverSent, Is.True);
        });
    }

    // ---- recovery ----------------------------------------------------------------------------

    [Test]
    public async Task OpenAsync_OperationsLeftInFlight_BecomePendingAgain()
    {
        var queue = await OpenAsync();
        var op = await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(10);

        queue = await RestartAsync(queue);
        var stored = await queue.GetOperationAsync(op.Id);
        var stats = await queue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(stored!.State, Is.EqualTo(OperationState.Pending));
            Assert.That(stored.EverSent, Is.True);
            Assert.That(stats.Pending, Is.EqualTo(1));
            Assert.That(stats.InFlight, Is.EqualTo(0));
        });
        Assert.That((await queue.TakeBatchAsync(10)).Select(o => o.Id), Is.EqualTo(new[] { op.Id }));
    }
}
