using System.Reactive.Concurrency;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// A damaged database file (garbage over its header, or over pages in its middle): opening fails with
/// <see cref="SqliteDatabaseCorruptException"/> naming the file, and the file is left byte for byte as it was, for recovery.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Reliability")]
public sealed class CorruptDatabaseTests
{
    private const int PageSize = 4096;

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-corrupt-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [TestCase("header")]
    [TestCase("middle")]
    public async Task OpenAsync_OperationStoreFileDamaged_ThrowsCorruptErrorNamingTheFileAndLeavesItUntouched(string where)
    {
        var database = Path.Combine(_directory, "queue.db");
        await using (var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(database), SyncConfiguration.Default, Scheduler.Default))
        {
            await queue.QueueOperationsAsync(Enumerable.Range(0, 2000).Select(i => new OperationRequest
            {
                Type = OperationType.Create,
                ResourceType = ResourceType.Post,
                ResourceId = $"post-{i}",
                Data = new JsonObject { ["title"] = $"post {i}", ["body"] = new string('b', 150) },
            }).ToList());
        }

        SqliteConnection.ClearAllPools();
        var damaged = Damage(database, where);

        var ex = await Assert.ThrowsAsync<SqliteDatabaseCorruptException>(
            async () => await OperationQueue.OpenAsync(new SqliteOperationStore(database), SyncConfiguration.Default, Scheduler.Default));
        TestContext.Progress.WriteLine($"corrupt ({where}): {ex!.Message}");

        SqliteConnection.ClearAllPools();
        Assert.Multiple(() =>
        {
            Assert.That(ex.DatabasePath, Is.EqualTo(database));
            Assert.That(ex.Message, Does.Contain(database));
            Assert.That(ex.InnerException, Is.InstanceOf<SqliteException>());
            Assert.That(File.ReadAllBytes(database), Is.EqualTo(damaged), "the damaged file must be left as it was");
        });

        // The app moves the file aside and starts afresh at the same path.
        File.Move(database, database + ".damaged");
        await using var fresh = await OperationQueue.OpenAsync(new SqliteOperationStore(database), SyncConfiguration.Default, Scheduler.Default);
        Assert.That((await fresh.GetQueueStatsAsync()).Total, Is.Zero);
    }

    [Test]
    public async Task OpenAsync_KeyValueStoreFileDamaged_ThrowsCorruptErrorNamingTheFileAndLeavesItUntouched()
    {
        var database = Path.Combine(_directory, "state.db");
        await using (var store = new SqliteKeyValueStore(database, Scheduler.Default))
        {
            for (var i = 0; i < 200; i++)
            {
                await store.SetAsync($"key-{i}", $"{{\"value\":{i}}}");
            }
        }

        SqliteConnection.ClearAllPools();
        var damaged = Damage(database, "header");

        await using var reopened = new SqliteKeyValueStore(database, Scheduler.Default);
        var ex = await Assert.ThrowsAsync<SqliteDatabaseCorruptException>(async () => await reopened.OpenAsync());
        SqliteConnection.ClearAllPools();
        Assert.Multiple(() =>
        {
            Assert.That(ex!.DatabasePath, Is.EqualTo(database));
            Assert.That(ex.Message, Does.Contain(database));
            Assert.That(File.ReadAllBytes(database), Is.EqualTo(damaged));
        });
    }

    /// <summary>Writes random bytes over the header (first 100 bytes) or over three pages in the middle; answers the damaged bytes.</summary>
    private static byte[] Damage(string path, string where)
    {
        Assert.That(File.Exists(path + "-wal") && new FileInfo(path + "-wal").Length > 0, Is.False, "the WAL should be checkpointed on close");
        var bytes = File.ReadAllBytes(path);
        var garbage = new Random(20261125);
        var (start, length) = where == "header"
            ? (0, 100)
            : ((bytes.Length / PageSize / 2) * PageSize, 3 * PageSize);
        Assert.That(start + length, Is.LessThanOrEqualTo(bytes.Length));
        garbage.NextBytes(bytes.AsSpan(start, length));
        File.WriteAllBytes(path, bytes);
        return bytes;
    }
}
