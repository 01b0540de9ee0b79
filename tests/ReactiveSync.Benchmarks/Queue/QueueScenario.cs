using System.Diagnostics;
using System.Globalization;
using System.Reactive.Concurrency;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Benchmarks.Queue;

/// <summary>
/// Scenario <c>queue</c> (issue 3): SQLite insert throughput raw and through the queue, memory with a large queue,
/// and batch selection latency, all on the same machine and disk in one run.
/// Options: <c>--seconds S</c> per throughput figure (default 3), <c>--memory-count N</c> operations for the memory
/// figure (default 1,000,000), <c>--dir PATH</c> for the database files (default a fresh temp folder),
/// <c>--take-only</c> to measure only memory and TakeBatch (skips the throughput figures; writes no artifact), and
/// <c>--keep-fill</c> to reuse an already filled <c>memory-full.db</c> in <c>--dir</c> (for profiling the probe).
/// </summary>
internal sealed class QueueScenario : IScenario
{
    private const string ProbeCommand = "--probe";

    public string Name => "queue";

    public async Task<int> RunAsync(string[] args)
    {
        if (args.Length >= 2 && args[0] == ProbeCommand)
        {
            return await QueueMemoryProbe.RunAsync(args[1], int.Parse(args[2], CultureInfo.InvariantCulture));
        }

        var seconds = Option(args, "--seconds", 3.0);
        var memoryCount = (int)Option(args, "--memory-count", 1_000_000);
        var directory = OptionText(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "rs-bench-queue-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        var duration = TimeSpan.FromSeconds(seconds);
        try
        {
            Console.WriteLine($"queue benchmark: {duration.TotalSeconds:0.#} s per figure, {memoryCount:N0} operations for memory, files in {directory}");
            var figures = new Dictionary<string, double>();
            if (args.Contains("--take-only"))
            {
                return await TakeOnlyAsync(directory, memoryCount, args.Contains("--keep-fill"));
            }

            figures["a_raw_row_per_tx_ops_per_s"] = Report("(a) raw SQLite, 1 row per transaction", await RawInsertsAsync(directory, "a", 1, duration));
            // Reference, no goal: a group commit of 16 done by hand in raw SQLite, without the queue. Its COMMIT writes
            // more WAL pages than a one-row commit, and on a disk where an fsync costs more the more it writes, it is far from 16x (a).
            figures["a16_raw_16_rows_per_tx_ops_per_s"] = Report("(a16) raw SQLite, 16 rows per transaction", await RawInsertsAsync(directory, "a16", 16, duration));
            figures["b_raw_1000_rows_per_tx_ops_per_s"] = Report("(b) raw SQLite, 1000 rows per transaction", await RawInsertsAsync(directory, "b", 1000, duration));
            figures["c_queue_16_producers_ops_per_s"] = Report("(c) QueueOperationAsync, 16 producers", await ProducersAsync(directory, "c", 16, duration));
            figures["d_queue_256_producers_ops_per_s"] = Report("(d) QueueOperationAsync, 256 producers", await ProducersAsync(directory, "d", 256, duration));
            figures["e_queue_bulk_1000_ops_per_s"] = Report("(e) QueueOperationsAsync, 1000 per call", await BulkAsync(directory, "e", 1000, duration));

            var fill = Stopwatch.StartNew();
            var fullPath = Path.Combine(directory, "memory-full.db");
            await FillAsync(fullPath, memoryCount);
            figures["memory_fill_seconds"] = fill.Elapsed.TotalSeconds;
            Console.WriteLine($"filled {memoryCount:N0} operations in {fill.Elapsed.TotalSeconds:0.0} s");

            var emptyPath = Path.Combine(directory, "memory-empty.db");
            await FillAsync(emptyPath, 0);
            var empty = await ProbeAsync(emptyPath, 0);
            var full = await ProbeAsync(fullPath, memoryCount);
            figures["memory_empty_working_set_mb"] = empty.WorkingSetMb;
            figures["memory_full_working_set_mb"] = full.WorkingSetMb;
            figures["memory_empty_gc_heap_mb"] = empty.GcHeapMb;
            figures["memory_full_gc_heap_mb"] = full.GcHeapMb;
            figures["memory_full_open_ms"] = full.OpenMs;
            figures["take_batch_100_median_ms_full"] = full.TakeBatchMedianMs;
            figures["take_batch_100_p95_ms_full"] = full.TakeBatchP95Ms;
            figures["take_batch_100_in_transaction_median_ms_full"] = full.TakeBatchInTransactionMedianMs;
            figures["take_batch_100_median_ms_empty_commit_only"] = empty.TakeBatchMedianMs;
            figures["memory_operations"] = memoryCount;

            var ratios = new Dictionary<string, double>
            {
                ["c_over_a"] = figures["c_queue_16_producers_ops_per_s"] / figures["a_raw_row_per_tx_ops_per_s"],
                ["a16_over_a"] = figures["a16_raw_16_rows_per_tx_ops_per_s"] / figures["a_raw_row_per_tx_ops_per_s"],
                ["c_over_a16"] = figures["c_queue_16_producers_ops_per_s"] / figures["a16_raw_16_rows_per_tx_ops_per_s"],
                ["d_over_b"] = figures["d_queue_256_producers_ops_per_s"] / figures["b_raw_1000_rows_per_tx_ops_per_s"],
                ["e_over_b"] = figures["e_queue_bulk_1000_ops_per_s"] / figures["b_raw_1000_rows_per_tx_ops_per_s"],
                ["memory_delta_working_set_mb"] = full.WorkingSetMb - empty.WorkingSetMb,
                ["memory_delta_gc_heap_mb"] = full.GcHeapMb - empty.GcHeapMb,
            };

            var goals = new List<Goal>
            {
                new("(c) >= 10x (a)", ratios["c_over_a"], 10, ratios["c_over_a"] >= 10),
                new("(d) >= 0.5x (b)", ratios["d_over_b"], 0.5, ratios["d_over_b"] >= 0.5),
                new("(e) >= 0.8x (b)", ratios["e_over_b"], 0.8, ratios["e_over_b"] >= 0.8),
                new($"working set with {memoryCount:N0} queued within 64 MB of empty", ratios["memory_delta_working_set_mb"], 64, ratios["memory_delta_working_set_mb"] <= 64),
                new("TakeBatch(100) median < 5 ms", full.TakeBatchMedianMs, 5, full.TakeBatchMedianMs < 5),
            };

            Console.WriteLine();
            Console.WriteLine($"{"figure",-48} {"value",14}");
            foreach (var (name, value) in figures)
            {
                Console.WriteLine($"{name,-48} {value,14:N2}");
            }

            Console.WriteLine();
            Console.WriteLine($"{"goal",-60} {"actual",10} {"target",8}  met");
            foreach (var goal in goals)
            {
                Console.WriteLine($"{goal.Name,-60} {goal.Actual,10:N2} {goal.Target,8:N2}  {(goal.Met ? "yes" : "NO")}");
            }

            var artifact = WriteArtifact(figures, ratios, goals, duration, memoryCount);
            Console.WriteLine($"wrote {artifact}");
            return goals.All(g => g.Met) ? 0 : 1;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            if (OptionText(args, "--dir") is null && !args.Contains("--keep-fill"))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }

    /// <summary>Only the memory and TakeBatch figures, for iterating on selection: no throughput runs, no artifact.</summary>
    private static async Task<int> TakeOnlyAsync(string directory, int memoryCount, bool keepFill)
    {
        var fullPath = Path.Combine(directory, "memory-full.db");
        if (!(keepFill && File.Exists(fullPath)))
        {
            var fill = Stopwatch.StartNew();
            await FillAsync(fullPath, memoryCount);
            Console.WriteLine($"filled {memoryCount:N0} operations in {fill.Elapsed.TotalSeconds:0.0} s");
        }

        // A probe completes what it takes: work on a copy so a kept fill stays full.
        var probePath = Path.Combine(directory, "memory-probe.db");
        SqliteConnection.ClearAllPools();
        foreach (var suffix in new[] { "", "-wal", "-shm" })
        {
            File.Delete(probePath + suffix);
            if (File.Exists(fullPath + suffix))
            {
                File.Copy(fullPath + suffix, probePath + suffix);
            }
        }

        var full = await ProbeAsync(probePath, memoryCount);
        var met = full.TakeBatchMedianMs < 5;
        Console.WriteLine($"TakeBatch(100) median {full.TakeBatchMedianMs:N2} ms, p95 {full.TakeBatchP95Ms:N2} ms, in transaction {full.TakeBatchInTransactionMedianMs:N2} ms: goal < 5 ms {(met ? "met" : "NOT met")}");
        return met ? 0 : 1;
    }

    private static double Report(string name, double opsPerSecond)
    {
        Console.WriteLine($"{name,-48} {opsPerSecond,12:N0} ops/s");
        return opsPerSecond;
    }

    /// <summary>Baseline: plain prepared INSERTs into the same table and indexes, WAL + FULL, <paramref name="rowsPerTransaction"/> per commit.</summary>
    private static async Task<double> RawInsertsAsync(string directory, string name, int rowsPerTransaction, TimeSpan duration)
    {
        var path = Path.Combine(directory, name + ".db");
        await FillAsync(path, 0);
        using var connection = OpenWriter(path);
        using var insert = QueueRows.PrepareInsert(connection);
        var now = DateTimeOffset.UnixEpoch.AddYears(55);
        var rows = 0L;
        var commits = 0;
        var commitTime = TimeSpan.Zero;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            for (var i = 0; i < rowsPerTransaction; i++)
            {
                rows++;
                QueueRows.Bind(insert, rows, now);
                insert.ExecuteNonQuery();
            }

            var commit = Stopwatch.GetTimestamp();
            tx.Commit();
            commitTime += Stopwatch.GetElapsedTime(commit);
            commits++;
        }

        Console.WriteLine($"    {rowsPerTransaction} per transaction: {commits:N0} commits, per commit {clock.Elapsed.TotalMilliseconds / commits:0.000} ms apart, {commitTime.TotalMilliseconds / commits:0.000} ms of it in COMMIT");
        return rows / clock.Elapsed.TotalSeconds;
    }

    private static async Task<double> ProducersAsync(string directory, string name, int producers, TimeSpan duration)
    {
        var path = Path.Combine(directory, name + ".db");
        var store = new TimingOperationStore(new SqliteOperationStore(path));
        await using var queue = await OperationQueue.OpenAsync(store, SyncConfiguration.Default, Scheduler.Default);
        var count = 0L;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            while (clock.Elapsed < duration)
            {
                await queue.QueueOperationAsync(Request(p));
                Interlocked.Increment(ref count);
            }
        }));
        await Task.WhenAll(workers);
        var elapsed = clock.Elapsed.TotalSeconds;
        var (commits, items) = queue.GroupCommitCounts;
        var (workMs, writeMs, timed) = store.Durable;
        Console.WriteLine(
            $"    {producers} producers: {commits:N0} commits, {(double)items / Math.Max(1, commits):N1} writes per commit; per commit " +
            $"{workMs / Math.Max(1, timed):0.000} ms work, {(writeMs - workMs) / Math.Max(1, timed):0.000} ms commit and lock, {elapsed * 1000 / Math.Max(1, timed):0.000} ms apart");
        return count / elapsed;
    }

    private static async Task<double> BulkAsync(string directory, string name, int perCall, TimeSpan duration)
    {
        var path = Path.Combine(directory, name + ".db");
        await using var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(path), SyncConfiguration.Default, Scheduler.Default);
        var count = 0L;
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < duration)
        {
            var requests = Enumerable.Range(0, perCall).Select(i => Request(i)).ToList();
            await queue.QueueOperationsAsync(requests);
            count += perCall;
        }

        return count / clock.Elapsed.TotalSeconds;
    }

    private static OperationRequest Request(int n) => new()
    {
        Type = OperationType.Create,
        ResourceType = ResourceType.Post,
        Data = new JsonObject { ["title"] = "offline post", ["body"] = "written on a train", ["n"] = n },
        Priority = (SyncPriority)(n % 4),
    };

    /// <summary>Creates the schema through the store, then fills <paramref name="count"/> pending operations directly, 10,000 per transaction.</summary>
    private static async Task FillAsync(string path, int count)
    {
        await using (var store = new SqliteOperationStore(path))
        {
            await store.OpenAsync();
        }

        if (count == 0)
        {
            return;
        }

        using var connection = OpenWriter(path);
        using (var pragma = connection.CreateCommand())
        {
            // Only the fill trades durability for speed; every measured figure runs with FULL.
            pragma.CommandText = "PRAGMA synchronous=OFF;";
            pragma.ExecuteNonQuery();
        }

        using var insert = QueueRows.PrepareInsert(connection);
        var now = DateTimeOffset.UnixEpoch.AddYears(55);
        for (var start = 0; start < count; start += 10_000)
        {
            using var tx = connection.BeginTransaction();
            insert.Transaction = tx;
            for (var i = start; i < Math.Min(count, start + 10_000); i++)
            {
                QueueRows.Bind(insert, i + 1, now);
                insert.ExecuteNonQuery();
            }

            tx.Commit();
        }
    }

    private static SqliteConnection OpenWriter(string path)
    {
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;";
        command.ExecuteNonQuery();
        return connection;
    }

    /// <summary>Runs the memory and TakeBatch probe in a fresh process, so the fill's allocations do not count.</summary>
    private static async Task<QueueMemoryProbe.Result> ProbeAsync(string path, int count)
    {
        var self = Environment.ProcessPath ?? "dotnet";
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            info.ArgumentList.Add(typeof(QueueScenario).Assembly.Location);
        }

        foreach (var argument in new[] { "queue", ProbeCommand, path, count.ToString(CultureInfo.InvariantCulture) })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        var json = output.Split('\n').Last(line => line.StartsWith('{'));
        var result = JsonSerializer.Deserialize<QueueMemoryProbe.Result>(json)!;
        Console.WriteLine($"probe {count,9:N0} queued: working set {result.WorkingSetMb:N1} MB, GC heap {result.GcHeapMb:N1} MB, open {result.OpenMs:N0} ms, TakeBatch(100) median {result.TakeBatchMedianMs:N2} ms ({result.TakeBatchInTransactionMedianMs:N2} ms before the commit)");
        return result;
    }

    private static string WriteArtifact(Dictionary<string, double> figures, Dictionary<string, double> ratios, List<Goal> goals, TimeSpan duration, int memoryCount)
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

        var path = Path.Combine(root, "artifacts", "bench", "queue.json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var document = new
        {
            scenario = "queue",
            secondsPerFigure = duration.TotalSeconds,
            memoryOperations = memoryCount,
            processors = Environment.ProcessorCount,
            os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            figures,
            ratios,
            goals = goals.Select(g => new { name = g.Name, actual = g.Actual, target = g.Target, met = g.Met }),
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

    private sealed record Goal(string Name, double Actual, double Target, bool Met);
}
