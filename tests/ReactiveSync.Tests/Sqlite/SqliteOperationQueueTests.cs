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

    [Test]
    public async Task CompleteAsync_OfSentOperations_CommitsWithoutAnFsync()
    {
        var store = new SqliteOperationStore(DatabasePath);
        var queue = await OpenAsync(store: store);
        await queue.QueueOperationAsync(Create("p1"));
        await queue.QueueOperationAsync(Create("p2"));
        var taken = await queue.TakeBatchAsync(10);
        var synced = store.SyncedCommits;

        // A completion lost in a power cut only brings back operations the server holds: their resend is answered 'duplicate'.
        var removed = await queue.CompleteAsync(taken.Select(op => op.Id).ToList());

        Assert.Multiple(() =>
        {
            Assert.That(removed, Is.EqualTo(2));
            Assert.That(store.SyncedCommits, Is.EqualTo(synced));
        });
    }

    [Test]
    public async Task CompleteAsync_OfAnOperationNeverSent_IsSynced()
    {
        var store = new SqliteOperationStore(DatabasePath);
        var queue = await OpenAsync(store: store);
        var unsent = await queue.QueueOperationAsync(Create("p1"));
        var synced = store.SyncedCommits;

        // The server may not hold it: its removal must reach the disk, or a power cut would bring back a stray write.
        await queue.CompleteAsync([unsent.Id]);

        Assert.That(store.SyncedCommits, Is.EqualTo(synced + 1));
    }

    [Test]
    public async Task CompleteAndTakeBatchAsync_OfSentOperations_CommitsWithoutAnFsync()
    {
        var store = new SqliteOperationStore(DatabasePath);
        var queue = await OpenAsync(store: store);
        await queue.QueueOperationAsync(Create("p1"));
        await queue.QueueOperationAsync(Create("p2"));
        var taken = await queue.TakeBatchAsync(10);
        var synced = store.SyncedCommits;

        await queue.CompleteAndTakeBatchAsync(taken, 10);

        Assert.That(store.SyncedCommits, Is.EqualTo(synced));
    }

    [Test]
    public async Task CompleteAndTakeBatchAsync_OfAnOperationNeverSent_IsSynced()
    {
        var store = new SqliteOperationStore(DatabasePath);
        var queue = await OpenAsync(store: store);
        var unsent = await queue.QueueOperationAsync(Create("p1"));
        var synced = store.SyncedCommits;

        // Only a drain calls this, with what it sent; should anything else be given, its removal still reaches the disk.
        await queue.CompleteAndTakeBatchAsync([unsent], 10);

        Assert.That(store.SyncedCommits, Is.EqualTo(synced + 1));
    }

    [TearDown]
    public async Task DeleteDirectory()
    {
        await DisposeQueues();
        Directory.Delete(_directory, recursive: true);
    }
}
