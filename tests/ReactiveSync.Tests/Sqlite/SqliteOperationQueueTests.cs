using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;
using ReactiveSync.Tests.Queue;

namespace ReactiveSync.Tests.Sqlite;

/// <summary>The queue contract on <see cref="SqliteOperationStore"/>, each test on a fresh temp file.</summary>
[TestFixture]
public sealed class SqliteOperationQueueTests : OperationQueueTests
{
    private string _directory = null!;

    protected override IOperationStore CreateStore() => new SqliteOperationStore(DatabasePath);

    protected override IOperationStore ReopenStore() => new SqliteOperationStore(DatabasePath);

    private string DatabasePath => Path.Combine(_directory, "queue.db");

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-queue-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [Test]
    public async Task TakeBatchAsync_InFlightMarkLostByAPowerCut_OperationIsStillNeverFolded()
    {
        var queue = await OpenAsync();
        var sent = await queue.QueueOperationAsync(Update("p1"));
        await queue.TakeBatchAsync(1);
        await DisposeQueues();

        // A take commits without an fsync, so a power cut may lose its mark: the file then says pending, never sent.
        using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = DatabasePath, Pooling = false }.ToString()))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE offline_operations SET state = 0, ever_sent = 0, last_attempt_at = NULL;";
            Assert.That(command.ExecuteNonQuery(), Is.EqualTo(1));
        }

        queue = await OpenAsync(store: ReopenStore());
        var result = await queue.QueueAsync(Update("p1"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Added), "the server may hold the first update: a change folded into it would be lost");
            Assert.That(result.Operation.Id, Is.Not.EqualTo(sent.Id));
        });
    }

    [Test]
    public async Task Coalescing_OperationQueuedAfterATake_StillFolds()
    {
        var queue = await OpenAsync();
        await queue.QueueOperationAsync(Create("p1"));
        await queue.TakeBatchAsync(10);
        var later = await queue.QueueOperationAsync(Create("p2"));
        var result = await queue.QueueAsync(Update("p2"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Outcome, Is.EqualTo(QueueOutcome.Coalesced));
            Assert.That(result.Operation.Id, Is.EqualTo(later.Id));
        });
    }

    /// <summary>The two ways acknowledged operations leave the queue: by id, or as a drain holds them with its next take.</summary>
    public enum Completion
    {
        ById,
        WithTheNextTake,
    }

    [TestCase(Completion.ById)]
    [TestCase(Completion.WithTheNextTake)]
    public async Task Completion_OfSentOperations_CommitsWithoutAnFsync(Completion way)
    {
        var store = new SqliteOperationStore(DatabasePath);
        var queue = await OpenAsync(store: store);
        await queue.QueueOperationAsync(Create("p1"));
        await queue.QueueOperationAsync(Create("p2"));
        var taken = await queue.TakeBatchAsync(10);
        var synced = store.SyncedCommits;

        // A completion lost in a power cut only brings back operations the server holds: their resend is answered 'duplicate'.
        await CompleteAsync(queue, taken, way);
        var left = (await queue.GetQueueStatsAsync()).Total;

        Assert.Multiple(() =>
        {
            Assert.That(left, Is.Zero);
            Assert.That(store.SyncedCommits, Is.EqualTo(synced));
        });
    }

    [TestCase(Completion.ById)]
    [TestCase(Completion.WithTheNextTake)]
    public async Task Completion_OfAnOperationNeverSent_IsSynced(Completion way)
    {
        var store = new SqliteOperationStore(DatabasePath);
        var queue = await OpenAsync(store: store);
        var unsent = await queue.QueueOperationAsync(Create("p1"));
        var synced = store.SyncedCommits;

        // The server may not hold it: its removal must reach the disk, or a power cut would bring back a stray write.
        // (A drain only completes what it sent; this is what the store does should anything else be given.)
        await CompleteAsync(queue, [unsent], way);

        Assert.That(store.SyncedCommits, Is.EqualTo(synced + 1));
    }

    private static Task CompleteAsync(OperationQueue queue, IReadOnlyList<OfflineOperation> operations, Completion way) => way switch
    {
        Completion.ById => queue.CompleteAsync(operations.Select(op => op.Id).ToList()),
        _ => queue.CompleteAndTakeBatchAsync(operations, 10),
    };

    [TearDown]
    public async Task DeleteDirectory()
    {
        await DisposeQueues();
        Directory.Delete(_directory, recursive: true);
    }
}
