using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Model;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// A soak against the real server with every fault kind on at once (500/503, 429 with Retry-After, connections aborted
/// after the push was applied, latency with jitter) while several devices keep queueing creates and blind updates.
/// When the faults stop and the queues drain, every operation was applied exactly once: the server's dedupe records
/// per client equal the operations queued, and every resource's version counts its updates exactly.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Reliability")]
public sealed class FaultSoakTests
{
    private const int Clients = 3;
    private static readonly ResourceType SoakItem = ResourceType.From("soak_item");

    [Test]
    public async Task SyncEngine_EveryServerFaultOnWhileDevicesQueue_EveryOperationAppliedExactlyOnce()
    {
        var duration = ReliabilitySettings.SoakDuration;
        await using var server = await TestServer.StartAsync(o =>
        {
            o.Faults.Seed = Environment.TickCount;
            o.Faults.ServerErrorRate = 0.10;
            o.Faults.TooManyRequestsRate = 0.05;
            o.Faults.AbortRate = 0.10;
            o.Faults.RetryAfterSeconds = 1;
            o.Faults.Latency = TimeSpan.FromMilliseconds(2);
            o.Faults.LatencyJitter = TimeSpan.FromMilliseconds(20);
        });

        var configuration = SyncConfiguration.Default with
        {
            // The budget outlasts any run of faults, so the test sees exactly-once, not give-up.
            MaxRetries = 100,
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(300),
            QueueChangeDebounce = TimeSpan.FromMilliseconds(20),
            SyncInterval = TimeSpan.FromSeconds(1),
            BatchSize = 10,
            CoalescingDisabledFor = new HashSet<ResourceType> { SoakItem },
        };

        var clients = new List<SyncClient>();
        try
        {
            for (var c = 0; c < Clients; c++)
            {
                clients.Add(await SyncClient.StartAsync(server.BaseAddress, $"soak-{c}", configuration));
            }

            var clock = Stopwatch.StartNew();
            var workloads = await Task.WhenAll(clients.Select((client, c) => Task.Run(() => QueueWhileAsync(client, c, clock, duration))));
            var faults = server.Metrics.FaultsInjected;
            server.Options.Faults.Disable();

            var left = new int[clients.Count];
            await Eventually.WaitAsync(
                async () =>
                {
                    for (var c = 0; c < clients.Count; c++)
                    {
                        left[c] = (await clients[c].Engine.OperationQueue.GetQueueStatsAsync()).Total;
                    }

                    return left.All(n => n == 0);
                },
                "every device's queue drained",
                TimeSpan.FromMinutes(2),
                () => $"queued per device: {string.Join(", ", left)}",
                TimeSpan.FromMilliseconds(20));
            clock.Stop();

            var metrics = server.Metrics;
            TestContext.Progress.WriteLine(
                $"fault soak: {duration.TotalSeconds:0} s of faults, {clock.Elapsed.TotalSeconds:0.0} s in all; {Clients} clients queued " +
                $"{workloads.Sum(w => w.Queued)} ops ({workloads.Sum(w => w.Expected.Count)} resources); server: {metrics.PushRequests} pushes answered, " +
                $"{metrics.OperationsApplied} applied, {metrics.Duplicates} duplicates, {faults} faults injected");

            // What the devices saw, by kind: each injected fault kind must have reached them.
            var seen = clients.SelectMany(c => c.Events.OfType<SyncFailed>())
                .GroupBy(e => e.Error.StatusCode?.ToString(CultureInfo.InvariantCulture) ?? e.Error.Type.ToString())
                .ToDictionary(g => g.Key, g => g.Count());
            TestContext.Progress.WriteLine("fault soak: failures seen by the devices: " + string.Join(", ", seen.OrderBy(p => p.Key).Select(p => $"{p.Key}={p.Value}")));
            Assert.That(faults, Is.GreaterThan(0), "faults should have been injected");
            Assert.That(seen.Keys, Is.SupersetOf(new[] { "429", "500", "503", "Network" }), "every fault kind should have reached a device");
            for (var c = 0; c < Clients; c++)
            {
                var workload = workloads[c];
                Assert.That(
                    await server.Store.CountRecordedOperationsAsync($"soak-{c}"), Is.EqualTo(workload.Queued),
                    $"client {c}: every queued operation applied exactly once");
                foreach (var (resourceId, (updates, last)) in workload.Expected)
                {
                    var resource = await server.Store.GetResourceAsync(SoakItem.Value, resourceId);
                    Assert.That(resource, Is.Not.Null, $"{resourceId} is missing");
                    Assert.That(resource!.Version, Is.EqualTo(1 + updates), $"{resourceId}: one version per create and update");
                    Assert.That(resource.Data?["u"]?.GetValue<int>() ?? -1, Is.EqualTo(last), $"{resourceId}: the last update wins");
                }
            }

            Assert.That(metrics.OperationsApplied, Is.EqualTo(workloads.Sum(w => w.Queued)));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Queues bursts of creates and blind updates until the time is up, letting the queue drain below a bound between
    /// bursts so the work stays in step with the sync. Answers what was queued and what each resource should end as.
    /// </summary>
    private static async Task<Workload> QueueWhileAsync(SyncClient client, int index, Stopwatch clock, TimeSpan duration)
    {
        var random = new Random(index * 7919 + Environment.TickCount);
        var workload = new Workload();
        var ids = new List<string>();
        while (clock.Elapsed < duration)
        {
            for (var i = 0; i < 20; i++)
            {
                if (ids.Count > 0 && random.NextDouble() < 0.3)
                {
                    var id = ids[random.Next(ids.Count)];
                    var (updates, _) = workload.Expected[id];
                    var value = updates + 1;
                    await client.Engine.QueueOperationAsync(OperationType.Update, SoakItem, id, new JsonObject { ["u"] = value });
                    workload.Expected[id] = (updates + 1, value);
                }
                else
                {
                    var id = $"soak-{index}-{ids.Count}";
                    await client.Engine.QueueOperationAsync(OperationType.Create, SoakItem, id, new JsonObject { ["u"] = 0 });
                    ids.Add(id);
                    workload.Expected[id] = (0, 0);
                }

                workload.Queued++;
            }

            var queued = 0;
            await Eventually.WaitAsync(
                async () => (queued = (await client.Engine.OperationQueue.GetQueueStatsAsync()).Total) < 60 || clock.Elapsed >= duration,
                $"client {index}'s queue went below 60",
                TimeSpan.FromMinutes(2),
                () => $"{queued} queued",
                TimeSpan.FromMilliseconds(20));
        }

        return workload;
    }

    private sealed class Workload
    {
        public int Queued { get; set; }

        public Dictionary<string, (int Updates, int Last)> Expected { get; } = [];
    }
}
