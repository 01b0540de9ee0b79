using System.Globalization;
using System.Reactive.Concurrency;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.IntegrationTests.Queue;

/// <summary>
/// Guarantee 1 against real crashes: a child process queues operations on a SQLite file and is killed with SIGKILL
/// at a random moment, many times; after each reopen every operation it reported as queued is there exactly once.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class OperationQueueCrashTests
{
    /// <summary>Kill cycles; CI runs a bounded number, REACTIVESYNC_CRASH_CYCLES asks for more.</summary>
    private static int Cycles =>
        int.TryParse(Environment.GetEnvironmentVariable("REACTIVESYNC_CRASH_CYCLES"), NumberStyles.None, CultureInfo.InvariantCulture, out var cycles) && cycles > 0
            ? cycles
            : 10;

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task QueueOperationAsync_ProcessKilledAtRandomMoments_EveryAcknowledgedOperationSurvivesExactlyOnce()
    {
        var database = Path.Combine(_directory, "queue.db");
        var random = new Random(Environment.TickCount);
        var acknowledged = new HashSet<Guid>();
        for (var cycle = 0; cycle < Cycles; cycle++)
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var killAfter = random.Next(1, 250);
            IReadOnlyList<string> lines;
            using (var client = CrashClientProcess.Start("enqueue", database, "16"))
            {
                await client.WaitForLinesAsync(1 + killAfter, TimeSpan.FromSeconds(60));
                lines = await client.KillAsync();
            }

            Assert.That(lines[0], Is.EqualTo("ready"));
            var ids = lines.Skip(1).Select(Guid.Parse).ToList();
            Assert.That(ids, Is.Unique, "an id was reported twice");
            acknowledged.UnionWith(ids);

            // Reopen as the app would after the crash, and read everything back through the queue.
            await using var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(database), SyncConfiguration.Default, Scheduler.Default);
            var stored = await queue.GetOperationsAsync(OperationState.Pending, 0, int.MaxValue);
            var copies = stored.GroupBy(o => o.Id).ToDictionary(g => g.Key, g => g.Count());
            var missing = acknowledged.Where(id => !copies.ContainsKey(id)).ToList();
            var stats = await queue.GetQueueStatsAsync();
            TestContext.Progress.WriteLine($"cycle {cycle}: killed after {ids.Count} acknowledged; {stats.Total} stored in all; {started.ElapsedMilliseconds} ms");
            Assert.That(missing, Is.Empty, $"cycle {cycle}: acknowledged operations lost");
            Assert.That(copies.Values.Where(n => n > 1), Is.Empty, $"cycle {cycle}: an operation is stored twice");
            Assert.That(stats.Total, Is.EqualTo(stored.Count));
        }

        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM (SELECT id FROM offline_operations GROUP BY id HAVING count(*) > 1);";
        Assert.That(command.ExecuteScalar(), Is.EqualTo(0L), "an operation is stored twice");
        command.CommandText = "PRAGMA integrity_check;";
        Assert.That(command.ExecuteScalar(), Is.EqualTo("ok"));
    }
}
