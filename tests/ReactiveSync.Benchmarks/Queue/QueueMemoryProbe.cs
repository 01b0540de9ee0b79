using System.Diagnostics;
using System.Reactive.Concurrency;
using System.Text.Json;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Benchmarks.Queue;

/// <summary>
/// Runs in a child process: opens a queue over a prepared file, takes and completes batches of 100 (timing each
/// TakeBatch), then reports its memory after a full GC as one JSON line.
/// </summary>
internal static class QueueMemoryProbe
{
    private const int Batches = 200;

    public static async Task<int> RunAsync(string path, int expected)
    {
        var open = Stopwatch.StartNew();
        var store = new TimingOperationStore(new SqliteOperationStore(path));
        await using var queue = await OperationQueue.OpenAsync(store, SyncConfiguration.Default, Scheduler.Default);
        var openMs = open.Elapsed.TotalMilliseconds;
        var stats = await queue.GetQueueStatsAsync();
        if (stats.Total != expected)
        {
            await Console.Error.WriteLineAsync($"expected {expected} operations, found {stats.Total}");
            return 1;
        }

        // A small queue (a quick run with --memory-count) has fewer full batches to take.
        var batches = expected == 0 ? Batches : Math.Clamp(expected / 100, 1, Batches);
        var timings = new List<double>(batches);
        var inTransaction = new List<double>(batches);
        for (var i = 0; i < batches; i++)
        {
            var clock = Stopwatch.StartNew();
            var batch = await queue.TakeBatchAsync(100);
            timings.Add(clock.Elapsed.TotalMilliseconds);
            inTransaction.Add(store.LastWorkMs);
            if (expected > 0 && batch.Count != 100)
            {
                await Console.Error.WriteLineAsync($"batch {i} had {batch.Count} operations");
                return 1;
            }

            await queue.CompleteAsync(batch.Select(o => o.Id).ToList());
        }

        timings.Sort();
        inTransaction.Sort();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect();
        using var process = Process.GetCurrentProcess();
        process.Refresh();
        var result = new Result(
            process.WorkingSet64 / 1048576.0,
            GC.GetTotalMemory(forceFullCollection: true) / 1048576.0,
            openMs,
            timings[timings.Count / 2],
            timings[(int)(timings.Count * 0.95)],
            inTransaction[inTransaction.Count / 2]);
        Console.WriteLine(JsonSerializer.Serialize(result));
        return 0;
    }

    internal sealed record Result(double WorkingSetMb, double GcHeapMb, double OpenMs, double TakeBatchMedianMs, double TakeBatchP95Ms, double TakeBatchInTransactionMedianMs);
}
