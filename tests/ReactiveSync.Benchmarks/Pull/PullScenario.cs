using System.Diagnostics;
using System.Globalization;
using System.Reactive.Concurrency;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Model;
using ReactiveSync.Pull;
using ReactiveSync.Sqlite;
using ReactiveSync.Transport;

namespace ReactiveSync.Benchmarks.Pull;

/// <summary>
/// Scenario <c>pull</c>: 100,000 server changes pulled page by page into the SQLite replica (each page and its checkpoint
/// one transaction, WAL + synchronous=FULL), against raw batched SQLite inserts of the same rows with the same page size
/// and durability, in the same run. The changes come from memory, so the figure is the replica's cost, not the network's.
/// Options: <c>--rows N</c> (default 100000), <c>--page N</c> (default 5000, the server's maximum), <c>--runs N</c> (default 3; best run counts).
/// </summary>
internal sealed class PullScenario : IScenario
{
    public string Name => "pull";

    public async Task<int> RunAsync(string[] args)
    {
        var rows = (int)Option(args, "--rows", 100_000);
        var pageSize = (int)Option(args, "--page", 5000);
        var runs = (int)Option(args, "--runs", 3);
        var directory = Path.Combine(Path.GetTempPath(), "rs-bench-pull-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var changes = MakeChanges(rows);
            Console.WriteLine($"pull benchmark: {rows:N0} rows, pages of {pageSize:N0}, best of {runs} runs, files in {directory}");
            var replicaBest = double.MaxValue;
            var rawBest = double.MaxValue;
            for (var run = 0; run < runs; run++)
            {
                // Alternate which goes first so neither always gets the warmer cache.
                if (run % 2 == 0)
                {
                    rawBest = Math.Min(rawBest, RawInserts(Path.Combine(directory, $"raw-{run}.db"), changes, pageSize));
                    replicaBest = Math.Min(replicaBest, await ReplicaAsync(Path.Combine(directory, $"replica-{run}.db"), changes, pageSize));
                }
                else
                {
                    replicaBest = Math.Min(replicaBest, await ReplicaAsync(Path.Combine(directory, $"replica-{run}.db"), changes, pageSize));
                    rawBest = Math.Min(rawBest, RawInserts(Path.Combine(directory, $"raw-{run}.db"), changes, pageSize));
                }
            }

            var replicaRate = rows / replicaBest;
            var rawRate = rows / rawBest;
            var ratio = replicaRate / rawRate;
            Console.WriteLine($"{"replica (ReplicaSynchronizer + SqliteReplicaStore)",-56} {replicaRate,12:N0} rows/s  ({replicaBest:0.000} s)");
            Console.WriteLine($"{"raw batched SQLite inserts",-56} {rawRate,12:N0} rows/s  ({rawBest:0.000} s)");
            Console.WriteLine($"{"ratio replica / raw",-56} {ratio,12:0.00}x");
            var path = WriteArtifact(new
            {
                scenario = Name,
                rows,
                pageSize,
                runs,
                processors = Environment.ProcessorCount,
                os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                figures = new Dictionary<string, double>
                {
                    ["replicaRowsPerSecond"] = replicaRate,
                    ["rawRowsPerSecond"] = rawRate,
                    ["replicaSeconds"] = replicaBest,
                    ["rawSeconds"] = rawBest,
                },
                ratios = new Dictionary<string, double> { ["replicaVsRaw"] = ratio },
            });
            Console.WriteLine($"wrote {path}");
            return 0;
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static List<ServerChange> MakeChanges(int rows)
    {
        var at = new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero);
        var list = new List<ServerChange>(rows);
        for (var i = 0; i < rows; i++)
        {
            list.Add(new ServerChange
            {
                ResourceType = ResourceType.Post,
                ResourceId = $"post-{i:D7}",
                Version = 1,
                Data = new JsonObject { ["title"] = $"Post {i}", ["body"] = "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", ["n"] = i },
                UpdatedAt = at,
            });
        }

        return list;
    }

    private static async Task<double> ReplicaAsync(string path, List<ServerChange> changes, int pageSize)
    {
        await using var store = new SqliteReplicaStore(path);
        await store.OpenAsync();
        var synchronizer = new ReplicaSynchronizer(new MemoryPullTransport(changes), store, SyncConfiguration.Default with { PullPageSize = pageSize }, Scheduler.Default);
        var watch = Stopwatch.StartNew();
        var applied = await synchronizer.PullAsync();
        watch.Stop();
        if (applied != changes.Count)
        {
            throw new InvalidOperationException($"Applied {applied} of {changes.Count}.");
        }

        return watch.Elapsed.TotalSeconds;
    }

    private static double RawInserts(string path, List<ServerChange> changes, int pageSize)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
        Execute(connection, "CREATE TABLE resources (resource_type TEXT NOT NULL, resource_id TEXT NOT NULL, version INTEGER NOT NULL, data TEXT, deleted INTEGER NOT NULL, updated_at TEXT NOT NULL, file_url TEXT, file_size INTEGER, PRIMARY KEY (resource_type, resource_id));");
        var watch = Stopwatch.StartNew();
        for (var start = 0; start < changes.Count; start += pageSize)
        {
            using var transaction = connection.BeginTransaction();
            using var insert = connection.CreateCommand();
            insert.Transaction = transaction;
            insert.CommandText = "INSERT INTO resources VALUES ($t, $i, $v, $d, 0, $u, NULL, NULL);";
            var t = insert.Parameters.Add("$t", SqliteType.Text);
            var id = insert.Parameters.Add("$i", SqliteType.Text);
            var v = insert.Parameters.Add("$v", SqliteType.Integer);
            var d = insert.Parameters.Add("$d", SqliteType.Text);
            var u = insert.Parameters.Add("$u", SqliteType.Text);
            insert.Prepare();
            foreach (var change in changes.Skip(start).Take(pageSize))
            {
                t.Value = change.ResourceType.Value;
                id.Value = change.ResourceId;
                v.Value = change.Version;
                d.Value = change.Data!.ToJsonString();
                u.Value = change.UpdatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);
                insert.ExecuteNonQuery();
            }

            transaction.Commit();
        }

        watch.Stop();
        return watch.Elapsed.TotalSeconds;
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    internal static string WriteArtifact(object document, string name = "pull")
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

        var path = Path.Combine(root, "artifacts", "bench", name + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
        return path;
    }

    internal static double Option(string[] args, string name, double fallback)
    {
        var index = Array.IndexOf(args, name);
        return index >= 0 && index + 1 < args.Length ? double.Parse(args[index + 1], CultureInfo.InvariantCulture) : fallback;
    }

    /// <summary>Serves a change log from memory in sequence pages, as the server's pull does.</summary>
    private sealed class MemoryPullTransport(List<ServerChange> changes) : ISyncTransport
    {
        public TimeSpan ServerClockOffset => TimeSpan.Zero;

        public Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken)
        {
            var since = (int)(checkpoint ?? 0);
            var count = Math.Min(limit, changes.Count - since);
            var page = changes.GetRange(since, count);
            return Task.FromResult(new PullPage(page, since + count, since + count < changes.Count));
        }

        public Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken) =>
            throw new NotSupportedException();
    }
}
