using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Text;
using ReactiveSync.Http;
using ReactiveSync.Sqlite;

namespace ReactiveSync.CrashClient;

/// <summary>
/// <c>sync &lt;database&gt; &lt;server&gt; &lt;client&gt; &lt;operations&gt; &lt;resources&gt;</c>: a device with a SQLite queue
/// that syncs over HTTP with auto-sync on. Opens the engine on <c>database</c> (operations a kill left in flight become
/// pending again), queues <c>operations</c> operations of <see cref="SyncWorkload"/> in one commit (0 queues nothing:
/// a restart), and syncs until the queue is empty. Prints, each line flushed at once: <c>ready</c>, <c>queued N</c>
/// after the commit, <c>pending N</c> whenever the count of pending and in-flight operations changes, then <c>done</c>
/// and exits 0 when nothing is left, or <c>failed N</c> and exits 1 when operations failed or conflicted.
/// </summary>
internal static class SyncCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length != 5)
        {
            await Console.Error.WriteLineAsync("usage: sync <database> <server> <client> <operations> <resources>");
            return 2;
        }

        var (database, server, clientId) = (args[0], new Uri(args[1]), args[2]);
        var operations = SyncWorkload.ParseCount(args[3]);
        var resources = SyncWorkload.ParseCount(args[4]);
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var gate = new object();
        void Print(string line)
        {
            lock (gate)
            {
                output.WriteLine(line);
            }
        }

        var scheduler = DefaultScheduler.Instance;
        using var transport = new HttpSyncTransport(server, new StaticAccessTokenProvider("crash-client"), scheduler);
        using var network = new HttpNetworkMonitor(server, scheduler, new HttpNetworkMonitorOptions { OfflineProbeInterval = TimeSpan.FromMilliseconds(200) });
        await using var engine = await SyncEngine.CreateAsync(new SyncEngineOptions
        {
            OperationStore = new SqliteOperationStore(database),
            Transport = transport,
            NetworkMonitor = network,
            ClientId = clientId,
            Scheduler = scheduler,
            Configuration = SyncWorkload.Configuration,
        });
        Print("ready");

        var finished = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var progress = engine.Status
            .Select(s => s.PendingOperations)
            .DistinctUntilChanged()
            .Subscribe(pending => Print($"pending {pending}"));

        if (operations > 0)
        {
            var requests = Enumerable.Range(0, operations).Select(k => SyncWorkload.Request(clientId, k, resources)).ToList();
            await engine.OperationQueue.QueueOperationsAsync(requests);
            Print($"queued {operations}");
        }

        // Settled: nothing pending or in flight and no sync running; the queue's own count confirms it.
        using var settled = engine.Status
            .Where(s => s.PendingOperations == 0 && !s.IsSyncing)
            .Select(_ => Observable.FromAsync(ct => engine.OperationQueue.GetQueueStatsAsync(ct)))
            .Concat()
            .Where(stats => stats.Pending + stats.InFlight == 0)
            .Subscribe(stats => finished.TrySetResult(stats.Failed + stats.Conflict));

        var stuck = await finished.Task;
        Print(stuck == 0 ? "done" : $"failed {stuck}");
        return stuck == 0 ? 0 : 1;
    }
}
