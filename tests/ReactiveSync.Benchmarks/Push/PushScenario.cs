using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using System.Text.Json;
using System.Text.Json.Nodes;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Server;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Benchmarks.Push;

/// <summary>
/// Scenario <c>push</c> (issue 4): against one loopback server in the same run, the engine (SQLite queue + HTTP
/// transport) drains N queued operations with batch size 100 and with the default 10, and a naive client sends one
/// HTTP request per operation (a push of one), 8 in parallel, with a plain HttpClient (how a per-item sync client
/// pushes). Goal: batch size 100 at least 10x the naive client's operations per second.
/// Options: <c>--operations N</c> per figure (default 20,000), <c>--parallel P</c> for the naive client (default 8),
/// <c>--dir PATH</c> for the databases (default a fresh temp folder, deleted afterwards), <c>--only engine</c> or
/// <c>--only plain</c> to run just the engine at batch size 100 or just the plain batched client (for a profiler; writes no artifact),
/// <c>--rounds N</c> measured rounds (default 5; each figure is the median of its rounds), <c>--warmup N</c> rounds run
/// first and not counted (default 3).
/// </summary>
/// <remarks>
/// Every figure is measured at steady state: whole rounds of all four figures run first and are not counted. With
/// a short warm-up instead (500 operations each), the engine, measured first, ran while the JIT was still tiering up
/// its paths: the same drain repeated at the end of the scenario was 1.5x to 1.7x faster, and equal to the first with
/// <c>DOTNET_TieredCompilation=0</c>. One warm-up round was not enough either: the engine's drain runs its paths once
/// per batch, 200 times a round, so the JIT still compiled 100 to 190 ms during the engine's first two measured
/// drains (of about 550 ms, on two cores), against 15 to 66 ms for the naive client, whose paths run 20,000 times a
/// round. Each figure reports the JIT's compile time during it, so a figure taken before the steady state shows.
/// </remarks>
internal sealed class PushScenario : IScenario
{
    private const double Goal = 10.0;

    public string Name => "push";

    public async Task<int> RunAsync(string[] args)
    {
        var operations = (int)Option(args, "--operations", 20_000);
        var parallel = (int)Option(args, "--parallel", 8);
        var given = OptionText(args, "--dir");
        var directory = given ?? Path.Combine(Path.GetTempPath(), "rs-bench-push-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await using var server = await ReactiveSyncServerHost.StartAsync(Path.Combine(directory, "server"));
            Console.WriteLine($"push benchmark: {operations:N0} operations per figure, server {server.BaseAddress}, files in {directory}");

            if (OptionText(args, "--only") is { } only)
            {
                // For a profiler: one figure, after one unmeasured run of it (not yet the steady state of a full run).
                for (var round = 0; round < 2; round++)
                {
                    var figure = only == "plain"
                        ? await NaiveAsync(server, $"plain-batch-100-r{round}", operations, 1, 100)
                        : await EngineDrainAsync(server, directory, $"engine-100-r{round}", operations, 100);
                    if (round == 1)
                    {
                        Report(only == "plain" ? "plain client, bodies of 100 built in memory, no local queue" : "engine, SQLite queue + HTTP, batch size 100", figure);
                    }
                }

                return 0;
            }

            // The warm-up rounds take every path up (JIT tiering, connection pools, SQLite pages) and are not counted.
            // Five, not three: on two cores the engine's figure moved between about 26,000 and 39,000 ops/s from round to
            // round of one run, at steady state (no JIT), so the median of three could land on either side.
            var measuredRounds = Math.Max(1, (int)Option(args, "--rounds", 5));
            var warmupRounds = Math.Max(1, (int)Option(args, "--warmup", 3));
            var rounds = new List<(Figure Batch100, Figure Batch10, Figure Naive, Figure PlainBatched)>();
            for (var round = 1 - warmupRounds; round <= measuredRounds; round++)
            {
                var counted = round > 0;
                Console.WriteLine(counted ? $"  round {round} of {measuredRounds}" : $"  round {round}: warm-up, not counted");
                var b100 = await EngineDrainAsync(server, directory, $"engine-100-r{round}", operations, 100);
                Report("engine, SQLite queue + HTTP, batch size 100", b100);
                var b10 = await EngineDrainAsync(server, directory, $"engine-10-r{round}", operations, SyncConfiguration.Default.BatchSize);
                Report($"engine, SQLite queue + HTTP, batch size {SyncConfiguration.Default.BatchSize} (default)", b10);
                var n = await NaiveAsync(server, $"naive-r{round}", operations, parallel);
                Report($"naive client, one request per operation, {parallel} in parallel", n);

                // Reference, no goal: the same plain client sending bodies of 100, one request at a time. It stores nothing
                // on the client: what a client that keeps nothing durable gets from this server with batches of 100.
                var plain = await NaiveAsync(server, $"plain-batch-100-r{round}", operations, 1, 100);
                Report("plain client, bodies of 100 built in memory, no local queue", plain);
                if (counted)
                {
                    rounds.Add((b100, b10, n, plain));
                }
            }

            var batch100 = Median(rounds.Select(r => r.Batch100));
            var batch10 = Median(rounds.Select(r => r.Batch10));
            var naive = Median(rounds.Select(r => r.Naive));
            var plainBatched = Median(rounds.Select(r => r.PlainBatched));

            var ratios = new Dictionary<string, double>
            {
                ["batch100_vs_naive"] = batch100.OpsPerSecond / naive.OpsPerSecond,
                ["batch10_vs_naive"] = batch10.OpsPerSecond / naive.OpsPerSecond,
                ["batch100_vs_batch10"] = batch100.OpsPerSecond / batch10.OpsPerSecond,
                ["plain_batch100_vs_naive"] = plainBatched.OpsPerSecond / naive.OpsPerSecond,
                ["batch100_vs_plain_batch100"] = batch100.OpsPerSecond / plainBatched.OpsPerSecond,
                ["batch100_vs_naive_per_cpu_second"] = batch100.OpsPerCpuSecond / naive.OpsPerCpuSecond,
                ["batch10_vs_naive_per_cpu_second"] = batch10.OpsPerCpuSecond / naive.OpsPerCpuSecond,
            };
            foreach (var (name, value) in ratios)
            {
                Console.WriteLine($"  {name,-34} {value,8:N1}x");
            }

            var met = ratios["batch100_vs_naive"] >= Goal;
            Console.WriteLine($"goal: batch size 100 >= {Goal}x naive: {(met ? "met" : "NOT met")} ({ratios["batch100_vs_naive"]:N1}x)");
            var path = WriteArtifact(operations, parallel, warmupRounds, measuredRounds, batch100, batch10, naive, plainBatched, ratios, met);
            Console.WriteLine($"wrote {path}");
            return met ? 0 : 1;
        }
        finally
        {
            if (given is null)
            {
                Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Queues <paramref name="count"/> creates on a fresh SQLite queue, then times one <c>SyncNowAsync</c> draining them all.</summary>
    private static async Task<Figure> EngineDrainAsync(ReactiveSyncServerHost server, string directory, string clientId, int count, int batchSize)
    {
        var scheduler = DefaultScheduler.Instance;
        using var transport = new HttpSyncTransport(server.BaseAddress, new StaticAccessTokenProvider("bench"), scheduler);
        using var network = new InMemoryNetworkMonitor(online: true);
        var timings = new DrainTimings();
        var store = new SqliteOperationStore(Path.Combine(directory, clientId + ".db"));
        await using var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = timings.Wrap(store),
            Transport = timings.Wrap(transport),
            NetworkMonitor = network,
            ClientId = clientId,
            Scheduler = scheduler,
            // Auto sync off, so nothing is sent while queueing: the clock measures one drain of a full queue. Pull off:
            // the figure is about pushes, as the naive client's is (a pull after the drain would fetch every change the
            // earlier figures made on the shared server, tens of thousands, and charge them to this one).
            Configuration = new SyncConfiguration { AutoSyncEnabled = false, PullEnabled = false, BatchSize = batchSize },
        });

        var queueing = Stopwatch.StartNew();
        for (var start = 0; start < count; start += 1_000)
        {
            var requests = Enumerable.Range(start, Math.Min(1_000, count - start)).Select(i => new OperationRequest
            {
                Type = OperationType.Create,
                ResourceType = ResourceType.Post,
                ResourceId = $"{clientId}-{i}",
                Data = Payload(i),
            }).ToList();
            await engine.OperationQueue.QueueOperationsAsync(requests);
        }

        queueing.Stop();
        var pushesBefore = server.Metrics.PushRequests;
        timings = timings.Reset();
        var syncedBefore = store.SyncedCommits;
        var jit = JitTime();
        var memory = MemoryMeter.Start();
        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        var result = await engine.SyncNowAsync();
        clock.Stop();
        cpu = CpuTime() - cpu;
        jit = JitTime() - jit;
        var gc = memory.Stop();
        Console.WriteLine($"    {clientId}: {timings.Describe(clock.Elapsed)}; {store.SyncedCommits - syncedBefore:N0} queue commits waited for an fsync");
        var recorded = await server.Store.CountRecordedOperationsAsync(clientId);
        var left = (await engine.OperationQueue.GetQueueStatsAsync()).Total;
        if (!result.Success || result.ProcessedOperations != count || recorded != count || left != 0)
        {
            throw new InvalidOperationException(
                $"{clientId}: the drain did not push everything once (success {result.Success}, processed {result.ProcessedOperations}, server recorded {recorded}, left {left}, errors: {string.Join("; ", result.Errors.Select(e => e.Message))})");
        }

        return new Figure(count, clock.Elapsed, cpu, server.Metrics.PushRequests - pushesBefore, queueing.Elapsed, jit, gc);
    }

    /// <summary>
    /// Pushes <paramref name="count"/> creates <paramref name="perRequest"/> per request, <paramref name="parallel"/> requests
    /// at a time, from bodies built in memory: no local queue, nothing stored on the client.
    /// </summary>
    private static async Task<Figure> NaiveAsync(ReactiveSyncServerHost server, string clientId, int count, int parallel, int perRequest = 1)
    {
        using var http = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench");
        var next = -perRequest;
        var pushesBefore = server.Metrics.PushRequests;
        var jit = JitTime();
        var memory = MemoryMeter.Start();
        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, parallel).Select(_ => Task.Run(async () =>
        {
            int first;
            while ((first = Interlocked.Add(ref next, perRequest)) < count)
            {
                var operations = new JsonArray();
                for (var i = first; i < Math.Min(count, first + perRequest); i++)
                {
                    operations.Add(new JsonObject
                    {
                        ["id"] = Guid.CreateVersion7().ToString(),
                        ["type"] = "create",
                        ["resourceType"] = "post",
                        ["resourceId"] = $"{clientId}-{i}",
                        ["baseVersion"] = null,
                        ["data"] = Payload(i),
                        ["clientTimestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture),
                        ["dependsOn"] = new JsonArray(),
                    });
                }

                var sent = operations.Count;
                var body = new JsonObject { ["clientId"] = clientId, ["operations"] = operations };
                using var content = new StringContent(body.ToJsonString(), System.Text.Encoding.UTF8, "application/json");
                using var response = await http.PostAsync("sync/push", content);
                var text = await response.Content.ReadAsStringAsync();
                var results = response.IsSuccessStatusCode ? JsonNode.Parse(text)?["results"]?.AsArray() : null;
                if (results is null || results.Count != sent || results.Any(r => r?["status"]?.GetValue<string>() != "applied"))
                {
                    throw new InvalidOperationException($"push of {sent} from {first} failed: {(int)response.StatusCode} {text}");
                }
            }
        })).ToList();
        await Task.WhenAll(workers);
        clock.Stop();
        cpu = CpuTime() - cpu;
        jit = JitTime() - jit;
        var gc = memory.Stop();
        var recorded = await server.Store.CountRecordedOperationsAsync(clientId);
        if (recorded != count)
        {
            throw new InvalidOperationException($"{clientId}: the server recorded {recorded} of {count} operations");
        }

        return new Figure(count, clock.Elapsed, cpu, server.Metrics.PushRequests - pushesBefore, null, jit, gc);
    }

    /// <summary>The figure with the median operations per second (the lower middle one for an even count).</summary>
    private static Figure Median(IEnumerable<Figure> figures)
    {
        var sorted = figures.OrderBy(f => f.OpsPerSecond).ToList();
        return sorted[(sorted.Count - 1) / 2];
    }

    /// <summary>CPU time of this process (client and server both run in it), so a figure can be read apart from a busy machine.</summary>
    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static JsonObject Payload(int n) => new() { ["title"] = "offline post", ["body"] = "written on a train", ["n"] = n };

    private static void Report(string what, Figure figure)
    {
        var queued = figure.QueueTime is { } q ? $"; queueing them took {q.TotalMilliseconds:N0} ms" : string.Empty;
        Console.WriteLine(
            $"  {what}: {figure.Operations:N0} ops in {figure.Elapsed.TotalMilliseconds:N0} ms = {figure.OpsPerSecond:N0} ops/s; " +
            $"{figure.Cpu.TotalMilliseconds:N0} ms CPU = {figure.OpsPerCpuSecond:N0} ops per CPU-second ({figure.Requests:N0} push requests; JIT {figure.Jit.TotalMilliseconds:N0} ms; " +
            $"{figure.Memory.AllocatedBytes / (double)figure.Operations / 1024:N1} KB allocated per op, {figure.Memory.Collections} GCs, {figure.Memory.Pause.TotalMilliseconds:N0} ms paused){queued}");
    }

    private static string WriteArtifact(
        int operations, int parallel, int warmupRounds, int measuredRounds, Figure batch100, Figure batch10, Figure naive, Figure plainBatched, Dictionary<string, double> ratios, bool met)
    {
        var root = Directory.GetCurrentDirectory();
        for (var dir = new DirectoryInfo(root); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ReactiveSync.sln")))
            {
                root = dir.FullName;
                break;
            }
        }

        var path = Path.Combine(root, "artifacts", "bench", "push.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        static object Describe(Figure f) => new
        {
            operations = f.Operations,
            seconds = f.Elapsed.TotalSeconds,
            opsPerSecond = f.OpsPerSecond,
            cpuSeconds = f.Cpu.TotalSeconds,
            opsPerCpuSecond = f.OpsPerCpuSecond,
            pushRequests = f.Requests,
            queueSeconds = f.QueueTime?.TotalSeconds,
            jitSeconds = f.Jit.TotalSeconds,
            allocatedBytesPerOperation = f.Memory.AllocatedBytes / (double)f.Operations,
            garbageCollections = f.Memory.Collections,
            gcPauseSeconds = f.Memory.Pause.TotalSeconds,
        };
        var document = new
        {
            scenario = "push",
            operations,
            naiveParallelism = parallel,
            warmupRounds,
            measuredRounds,
            processors = Environment.ProcessorCount,
            os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            figures = new Dictionary<string, object>
            {
                ["engine_batch_100"] = Describe(batch100),
                ["engine_batch_10"] = Describe(batch10),
                ["naive_one_request_per_op"] = Describe(naive),
                ["plain_batch_100_no_queue"] = Describe(plainBatched),
            },
            ratios,
            goals = new[] { new { name = "batch100_vs_naive", actual = ratios["batch100_vs_naive"], target = Goal, met } },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    private static double Option(string[] args, string name, double fallback) =>
        OptionText(args, name) is { } text ? double.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private static string? OptionText(string[] args, string name)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? args[index + 1] : null;
    }

    /// <summary>Time the JIT spent compiling in this process so far: a figure that includes much of it was not yet at steady state.</summary>
    private static TimeSpan JitTime() => System.Runtime.JitInfo.GetCompilationTime();

    private sealed record Figure(int Operations, TimeSpan Elapsed, TimeSpan Cpu, long Requests, TimeSpan? QueueTime, TimeSpan Jit, MemoryUse Memory)
    {
        public double OpsPerSecond => Operations / Elapsed.TotalSeconds;

        public double OpsPerCpuSecond => Operations / Math.Max(Cpu.TotalSeconds, 1e-6);
    }
}
