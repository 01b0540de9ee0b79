using System.Reactive.Concurrency;
using System.Text;
using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Sqlite;

namespace ReactiveSync.CrashClient;

/// <summary>
/// <c>enqueue &lt;database&gt; [producers]</c>: opens a SQLite queue and has concurrent producers queue operations
/// until killed. Prints <c>ready</c>, then each operation id on its own line right after its QueueOperationAsync
/// completed (flushed at once), so every printed id is a promise that the operation is durable.
/// </summary>
internal static class EnqueueCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length is < 1 or > 2)
        {
            await Console.Error.WriteLineAsync("usage: enqueue <database> [producers]");
            return 2;
        }

        var producers = args.Length == 2 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 8;
        var output = new StreamWriter(Console.OpenStandardOutput(), new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        var gate = new object();
        await using var queue = await OperationQueue.OpenAsync(new SqliteOperationStore(args[0]), SyncConfiguration.Default, Scheduler.Default);
        lock (gate)
        {
            output.WriteLine("ready");
        }

        var tasks = Enumerable.Range(0, producers).Select(p => Task.Run(async () =>
        {
            for (var i = 0; ; i++)
            {
                var op = await queue.QueueOperationAsync(new OperationRequest
                {
                    Type = OperationType.Create,
                    ResourceType = ResourceType.Post,
                    Data = new JsonObject { ["producer"] = p, ["n"] = i, ["text"] = "offline edit" },
                    Priority = (SyncPriority)(i % 4),
                });
                lock (gate)
                {
                    output.WriteLine(op.Id.ToString());
                }
            }
        }));
        await Task.WhenAll(tasks);
        return 0;
    }
}
