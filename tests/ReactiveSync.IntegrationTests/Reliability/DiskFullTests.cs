using System.Reactive.Concurrency;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// The client's disk fills up: SQLite itself reports SQLITE_FULL (the operation store's writer connection gets a
/// <c>PRAGMA max_page_count</c> just above the file's size). Queueing fails with a typed storage error naming the file,
/// nothing of the failed request is stored, everything queued before stays, and the file reopens intact.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Reliability")]
public sealed class DiskFullTests
{
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-diskfull-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task QueueOperationAsync_DiskFull_ThrowsStorageErrorAndKeepsTheQueue()
    {
        var database = Path.Combine(_directory, "queue.db");
        var acknowledged = new List<Guid>();
        await using (var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(database), SyncConfiguration.Default, Scheduler.Default))
        {
            for (var i = 0; i < 50; i++)
            {
                acknowledged.Add((await queue.QueueOperationAsync(Create($"before-{i}", 500))).Id);
            }
        }

        SqliteConnection.ClearAllPools();
        var full = new SqliteOperationStore(database)
        {
            // Room for a few more pages only: SQLite answers SQLITE_FULL when a write needs more.
            ConfigureWriter = connection =>
            {
                using var command = connection.CreateCommand();
                command.CommandText = "PRAGMA page_count;";
                var pages = (long)command.ExecuteScalar()!;
                command.CommandText = $"PRAGMA max_page_count = {pages + 8};";
                command.ExecuteNonQuery();
            },
        };

        var before = acknowledged.Count;
        await using (var queue = await OperationQueue.OpenAsync(full, SyncConfiguration.Default, Scheduler.Default))
        {
            // Concurrent requests share group commits, so a failing write may take others of its transaction with it:
            // each caller must then get the error, and nothing it asked for may be stored.
            var failures = new List<SyncException>();
            var refused = new List<Guid>();
            for (var round = 0; round < 200 && failures.Count == 0; round++)
            {
                var requests = Enumerable.Range(0, 8).Select(i => Create($"after-{round}-{i}", 1500)).ToList();
                var attempts = requests.Select(r => queue.QueueOperationAsync(r)).ToList();
                for (var i = 0; i < requests.Count; i++)
                {
                    try
                    {
                        acknowledged.Add((await attempts[i]).Id);
                    }
                    catch (SyncException ex)
                    {
                        failures.Add(ex);
                        refused.Add(requests[i].Id!.Value);
                    }
                }
            }

            TestContext.Progress.WriteLine(
                $"disk full: {acknowledged.Count - before} operations fitted, then {refused.Count} refused; error: {failures.FirstOrDefault()?.Message}");
            Assert.That(failures, Is.Not.Empty, "the store never filled up");
            Assert.Multiple(() =>
            {
                foreach (var failure in failures)
                {
                    Assert.That(failure.Error.Type, Is.EqualTo(SyncErrorType.Storage));
                    Assert.That(failure.Message, Does.Contain(database).And.Contain("full"));
                    Assert.That((failure.InnerException as SqliteException)?.SqliteErrorCode, Is.EqualTo(SQLitePCL.raw.SQLITE_FULL));
                }
            });

            // The queue is intact and still serves reads; refused requests left nothing behind.
            var stored = await queue.GetOperationsAsync(OperationState.Pending, 0, int.MaxValue);
            var stats = await queue.GetQueueStatsAsync();
            Assert.Multiple(() =>
            {
                Assert.That(stored.Select(o => o.Id), Is.EquivalentTo(acknowledged));
                Assert.That(stored.Select(o => o.Id).Intersect(refused), Is.Empty);
                Assert.That(stats.Total, Is.EqualTo(acknowledged.Count));
            });

            // Room freed by acknowledged operations (a sync) lets queueing go on without a restart.
            var synced = acknowledged.Take(20).ToList();
            Assert.That(await queue.CompleteAsync(synced), Is.EqualTo(20));
            acknowledged.RemoveRange(0, 20);
            acknowledged.Add((await queue.QueueOperationAsync(Create("after-room-freed", 1500))).Id);
        }

        SqliteConnection.ClearAllPools();
        await using (var reopened = await OperationQueue.OpenAsync(new SqliteOperationStore(database), SyncConfiguration.Default, Scheduler.Default))
        {
            var stored = await reopened.GetOperationsAsync(OperationState.Pending, 0, int.MaxValue);
            Assert.That(stored.Select(o => o.Id), Is.EquivalentTo(acknowledged), "after reopening, exactly the acknowledged operations are stored");
            await reopened.QueueOperationAsync(Create("after-reopen", 1500));
        }

        SqliteConnection.ClearAllPools();
        await using var check = new SqliteConnection($"Data Source={database};Pooling=False");
        check.Open();
        using var integrity = check.CreateCommand();
        integrity.CommandText = "PRAGMA integrity_check;";
        Assert.That(integrity.ExecuteScalar(), Is.EqualTo("ok"));
    }

    private static OperationRequest Create(string resourceId, int payloadChars) => new()
    {
        Id = Guid.NewGuid(),
        Type = OperationType.Create,
        ResourceType = ResourceType.Post,
        ResourceId = resourceId,
        Data = new JsonObject { ["body"] = new string('x', payloadChars) },
    };
}
