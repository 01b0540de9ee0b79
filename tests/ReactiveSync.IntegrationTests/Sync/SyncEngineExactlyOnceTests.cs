using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Events;
using ReactiveSync.Model;

namespace ReactiveSync.IntegrationTests.Sync;

/// <summary>
/// Guarantee 2 end to end: two devices with SQLite queues push over real HTTP to the real server while it answers 5xx,
/// aborts connections after applying a push, and answers 429 with Retry-After. Every operation is applied exactly once
/// and in order per resource.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class SyncEngineExactlyOnceTests
{
    private static readonly ResourceType Note = ResourceType.From("note");

    private string _directory = null!;

    /// <summary>
    /// Operations of both clients together. CI runs 5,000 (about 10 s on a quiet 2-core machine, about a minute when it is
    /// heavily loaded); REACTIVESYNC_E2E_OPERATIONS=10000 runs the figure (20-35 s quiet, 2 minutes loaded).
    /// </summary>
    private static int OperationCount =>
        int.TryParse(Environment.GetEnvironmentVariable("REACTIVESYNC_E2E_OPERATIONS"), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count >= 2
            ? count
            : 5_000;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Sync_TwoClientsUnderInjectedFaults_EveryOperationAppliedExactlyOnceInResourceOrder()
    {
        var total = OperationCount;
        const int resourcesPerClient = 150;
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Faults.Seed = 4242;
            o.Faults.ServerErrorRate = 0.30;
            o.Faults.AbortRate = 0.10;
            o.Faults.TooManyRequestsRate = 0.05;
            o.Faults.RetryAfterSeconds = 1;
        });

        var configuration = new SyncConfiguration
        {
            AutoSyncEnabled = false,
            BatchSize = 100,
            InitialRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
            MaxRetries = 50,
            QueueChangeDebounce = TimeSpan.FromMilliseconds(50),
            // Every queued operation must reach the server as itself, so nothing folds.
            CoalescingDisabledFor = new HashSet<ResourceType> { Note },
            // This test is about pushes; a pull after every (short, faulted) drain would double the requests and the time.
            PullEnabled = false,
        };

        var clients = new[] { "device-a", "device-b" };
        var perClient = new[] { total / 2, total - (total / 2) };
        await using var a = await SyncTestClient.StartAsync(server.BaseAddress, Path.Combine(_directory, "a"), clients[0], configuration);
        await using var b = await SyncTestClient.StartAsync(server.BaseAddress, Path.Combine(_directory, "b"), clients[1], configuration);
        var devices = new[] { a, b };

        // Round robin over each client's resources: a Create, then Updates, each against the version the one before makes,
        // so an update applied out of order, or twice, is answered 'conflict' instead of silently applied.
        var setup = Stopwatch.StartNew();
        for (var c = 0; c < 2; c++)
        {
            var requests = Enumerable.Range(0, perClient[c]).Select(k => Request(clients[c], k, resourcesPerClient)).ToList();
            foreach (var chunk in requests.Chunk(1_000))
            {
                await devices[c].Engine.OperationQueue.QueueOperationsAsync(chunk);
            }
        }

        var queued = await Task.WhenAll(devices.Select(d => d.Engine.GetOfflineStatusAsync()));
        Assert.That(queued.Select(s => s.PendingOperations), Is.EqualTo(perClient.Select(n => (long)n)), "setup: nothing folded");
        TestContext.Progress.WriteLine($"queued {total:N0} operations in {setup.ElapsedMilliseconds} ms");

        var sync = Stopwatch.StartNew();
        foreach (var device in devices)
        {
            device.Engine.EnableAutoSync(true);
        }

        var timeout = TimeSpan.FromSeconds(Math.Max(120, total * 0.05));
        await Task.WhenAll(devices.Select(d => d.WaitUntilDrainedAsync(timeout)));
        sync.Stop();
        var m = server.Metrics;
        TestContext.Progress.WriteLine(
            $"synced {total:N0} operations under faults in {sync.Elapsed.TotalSeconds:N1} s ({total / sync.Elapsed.TotalSeconds:N0} ops/s): " +
            $"{m.PushRequests} pushes, {m.FaultsInjected} faults injected, {m.OperationsApplied} applied, {m.Duplicates} duplicates, {m.Conflicts} conflicts");

        foreach (var device in devices)
        {
            var started = device.Events.OfType<SyncStarted>().ToList();
            var triggers = string.Join(", ", started.GroupBy(e => e.Trigger).Select(g => $"{g.Key} {g.Count()}"));
            var longestGap = started.Zip(started.Skip(1), (x, y) => y.Timestamp - x.Timestamp).DefaultIfEmpty().Max();
            TestContext.Progress.WriteLine($"{device.Engine.ClientId}: syncs by trigger: {triggers}; longest time between two sync starts {longestGap.TotalMilliseconds:N0} ms");
        }

        for (var c = 0; c < 2; c++)
        {
            var stats = await devices[c].Engine.OperationQueue.GetQueueStatsAsync();
            Assert.Multiple(() =>
            {
                Assert.That(stats.Total, Is.Zero, $"{clients[c]}: operations left in the queue ({stats})");
                Assert.That(devices[c].Conflicts, Is.Empty, $"{clients[c]}: an operation was applied out of order or twice");
            });
            Assert.That(await server.Store.CountRecordedOperationsAsync(clients[c]), Is.EqualTo(perClient[c]), $"{clients[c]}: dedupe records");
        }

        Assert.That(await server.Store.CountRecordedOperationsAsync(), Is.EqualTo(total));
        for (var c = 0; c < 2; c++)
        {
            for (var r = 0; r < Math.Min(resourcesPerClient, perClient[c]); r++)
            {
                // Operations k = r, r + R, r + 2R ... touched resource r: a Create and (count - 1) Updates.
                var count = ((perClient[c] - 1 - r) / resourcesPerClient) + 1;
                var resource = await server.Store.GetResourceAsync(Note.Value, ResourceId(clients[c], r));
                Assert.That(resource, Is.Not.Null, $"{clients[c]} resource {r} missing");
                Assert.Multiple(() =>
                {
                    Assert.That(resource!.Version, Is.EqualTo(count), $"{clients[c]} resource {r}: 1 + updates applied");
                    Assert.That(resource.Data?["value"]?.GetValue<int>(), Is.EqualTo(count - 1), $"{clients[c]} resource {r}: the last value queued");
                    Assert.That(resource.Data?["owner"]?.GetValue<string>(), Is.EqualTo(clients[c]));
                });
            }
        }
    }

    private static string ResourceId(string client, int resource) => $"{client}-note-{resource:D4}";

    private static OperationRequest Request(string client, int k, int resources)
    {
        var resource = k % resources;
        var round = k / resources;
        return round == 0
            ? new OperationRequest
            {
                Type = OperationType.Create,
                ResourceType = Note,
                ResourceId = ResourceId(client, resource),
                Data = new JsonObject { ["owner"] = client, ["value"] = 0, ["text"] = "first draft" },
            }
            : new OperationRequest
            {
                Type = OperationType.Update,
                ResourceType = Note,
                ResourceId = ResourceId(client, resource),
                Data = new JsonObject { ["value"] = round, ["text"] = $"edit {round}" },
                BaseVersion = round,
            };
    }
}
