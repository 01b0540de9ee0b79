using System.Diagnostics;
using System.Globalization;
using Microsoft.Data.Sqlite;
using ReactiveSync.CrashClient;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Sqlite;

namespace ReactiveSync.IntegrationTests.Sync;

/// <summary>
/// Guarantee 2 against real crashes: a device process (the crash client's <c>sync</c> subcommand) syncing over HTTP is
/// killed with SIGKILL at random moments and restarted on the same SQLite queue, again and again; a final run syncs to
/// the end. Every operation reaches the server exactly once, none is lost on the way.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class SyncEngineCrashTests
{
    private const string ClientId = "crash-device";
    private const int Resources = 50;

    private string _directory = null!;

    /// <summary>Kill cycles before the final run; CI runs 5, REACTIVESYNC_SYNC_CRASH_CYCLES asks for more.</summary>
    private static int Cycles => Setting("REACTIVESYNC_SYNC_CRASH_CYCLES", 5);

    /// <summary>Operations the device queues; REACTIVESYNC_SYNC_CRASH_OPERATIONS changes it.</summary>
    private static int Operations => Setting("REACTIVESYNC_SYNC_CRASH_OPERATIONS", 1_000);

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-sync-crash-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Sync_DeviceKilledAtRandomMomentsAndRestarted_EveryOperationAppliedExactlyOnce()
    {
        var operations = Operations;
        var database = Path.Combine(_directory, "device.db");
        var ids = Enumerable.Range(0, operations).Select(k => SyncWorkload.OperationId(ClientId, k)).ToList();
        var seed = Environment.TickCount;
        var random = new Random(seed);
        TestContext.Progress.WriteLine($"kill points from seed {seed}");

        // A little jitter on the server so kills land before, during and after requests.
        await using var server = await TestServer.StartAsync(o => o.Faults.LatencyJitter = TimeSpan.FromMilliseconds(8));
        var timeout = TimeSpan.FromSeconds(60);
        var finishedEarly = false;
        for (var cycle = 0; cycle < Cycles && !finishedEarly; cycle++)
        {
            var started = Stopwatch.StartNew();
            var remaining = operations - await server.Store.CountRecordedOperationsAsync(ClientId);
            // Kill once the device reports 5-20% fewer pending operations than the server still lacks.
            var threshold = remaining - (long)Math.Ceiling(remaining * (0.05 + (random.NextDouble() * 0.15)));
            using (var device = SyncClientProcess.Start(database, server.BaseAddress, ClientId, cycle == 0 ? operations : 0, Resources))
            {
                var from = await device.WaitForLineAsync(l => l == "ready", timeout, "ready");
                if (cycle == 0)
                {
                    // The kill comes after the queue committed the operations: queueing under kills is the queue crash test's.
                    from = await device.WaitForLineAsync(l => l == $"queued {operations}", timeout, "queued", from);
                }

                var at = await device.WaitForLineAsync(
                    l => l == "done" || (Pending(l) is { } pending && pending <= threshold), timeout, $"pending <= {threshold}", from);
                finishedEarly = device.Lines[at] == "done";
                TestContext.Progress.WriteLine($"cycle {cycle}: ready after {device.MillisecondsTo(0)} ms, first line after it at {device.MillisecondsTo(from + 1)} ms, kill at {device.MillisecondsTo(at)} ms: {string.Join(",", device.Lines.Skip(from).Take(8))}");
                await device.KillAsync();
            }

            var killedAfter = started.ElapsedMilliseconds;
            await AssertNothingLostOrDoubledAsync(server, database, ids, operations, $"cycle {cycle}");
            TestContext.Progress.WriteLine(
                $"cycle {cycle}: killed at pending <= {threshold} after {killedAfter} ms (server had {operations - remaining}, now {await server.Store.CountRecordedOperationsAsync(ClientId)}); checked by {started.ElapsedMilliseconds} ms");
        }

        var final = Stopwatch.StartNew();
        using (var device = SyncClientProcess.Start(database, server.BaseAddress, ClientId, 0, Resources))
        {
            var exit = await device.WaitForExitAsync(TimeSpan.FromSeconds(120));
            Assert.That(exit, Is.Zero, $"the final run did not finish cleanly: {string.Join(" | ", device.Lines.TakeLast(5))}");
            Assert.That(device.Lines, Does.Contain("done"));
        }

        TestContext.Progress.WriteLine($"final run synced the rest in {final.ElapsedMilliseconds} ms");
        Assert.That(await server.Store.CountRecordedOperationsAsync(ClientId), Is.EqualTo(operations), "dedupe records: each operation once");
        var unrecorded = new List<Guid>();
        foreach (var id in ids)
        {
            if (await server.Store.GetRecordedResultAsync(ClientId, id) is null)
            {
                unrecorded.Add(id);
            }
        }

        Assert.That(unrecorded, Is.Empty, "operations the server never applied");
        for (var r = 0; r < Resources; r++)
        {
            var count = SyncWorkload.OperationsOn(r, operations, Resources);
            var resource = await server.Store.GetResourceAsync(SyncWorkload.Note.Value, SyncWorkload.ResourceId(ClientId, r));
            Assert.That(resource, Is.Not.Null, $"note {r} missing");
            Assert.Multiple(() =>
            {
                // Blind updates: an update applied twice would show as one version too many.
                Assert.That(resource!.Version, Is.EqualTo(count), $"note {r}: 1 + updates, each applied once");
                Assert.That(resource.Data?["value"]?.GetValue<int>(), Is.EqualTo(count - 1), $"note {r}: the last value queued, in order");
            });
        }

        await using var store = new SqliteOperationStore(database);
        await store.OpenAsync();
        var left = await store.GetCountsAsync();
        Assert.That(left.Sum(c => c.Count), Is.Zero, "operations left on the device");
    }

    private static long? Pending(string line) =>
        line.StartsWith("pending ", StringComparison.Ordinal) && long.TryParse(line.AsSpan(8), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            ? n
            : null;

    /// <summary>After a kill: every operation is on the server's dedupe table or still on the device, and no note went past its last version.</summary>
    private static async Task AssertNothingLostOrDoubledAsync(TestServer server, string database, IReadOnlyList<Guid> ids, int operations, string when)
    {
        var lost = new List<Guid>();
        await using (var store = new SqliteOperationStore(database))
        {
            await store.OpenAsync();
            foreach (var id in ids)
            {
                if (await server.Store.GetRecordedResultAsync(ClientId, id) is null && await store.GetAsync(id) is null)
                {
                    lost.Add(id);
                }
            }
        }

        SqliteConnection.ClearAllPools();
        Assert.That(lost, Is.Empty, $"{when}: operations neither on the server nor on the device");
        for (var r = 0; r < Resources; r++)
        {
            var resource = await server.Store.GetResourceAsync(SyncWorkload.Note.Value, SyncWorkload.ResourceId(ClientId, r));
            Assert.That(resource?.Version ?? 0, Is.LessThanOrEqualTo(SyncWorkload.OperationsOn(r, operations, Resources)), $"{when}: note {r} applied more often than queued");
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : fallback;
}
