using System.Diagnostics;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using ReactiveSync.Benchmarks.Pull;
using ReactiveSync.Downloads;
using ReactiveSync.Http;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Server;
using ReactiveSync.Sqlite;

namespace ReactiveSync.Benchmarks.Download;

/// <summary>
/// Scenario <c>download</c>: one large file (default 200 MB) from the loopback server, by the
/// <see cref="ContentDownloadManager"/> (SQLite download store, partial file, fsync every 16 MiB, rename into place) against
/// a plain <see cref="HttpClient"/> stream copy to disk, in the same run, alternating; best of <c>--runs</c> (default 3).
/// Goal: the manager at least 0.9x the plain copy's throughput. Also measured: the plain copy with a final fsync, since the
/// manager makes its file durable before it reports it complete and the plain copy does not. Options: <c>--mb N</c>, <c>--runs N</c>.
/// </summary>
internal sealed class DownloadScenario : IScenario
{
    private const string ResourceId = "bench-file";

    public string Name => "download";

    public async Task<int> RunAsync(string[] args)
    {
        var megabytes = (int)PullScenario.Option(args, "--mb", 200);
        var runs = (int)PullScenario.Option(args, "--runs", 3);
        var size = megabytes * 1024L * 1024;
        var directory = Path.Combine(Path.GetTempPath(), "rs-bench-download-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            await using var server = await ReactiveSyncServerHost.StartAsync(Path.Combine(directory, "server"));
            using var client = new HttpClient { BaseAddress = server.BaseAddress, Timeout = TimeSpan.FromMinutes(10) };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "bench");
            await UploadAsync(client, size, directory);
            Console.WriteLine($"download benchmark: {megabytes} MB from {server.BaseAddress}, best of {runs} runs, files in {directory}");

            var managerBest = double.MaxValue;
            var plainBest = double.MaxValue;
            var durableBest = double.MaxValue;
            for (var run = 0; run < runs; run++)
            {
                durableBest = Math.Min(durableBest, await PlainCopyAsync(client, Path.Combine(directory, $"durable-{run}.bin"), size, durable: true));
                if (run % 2 == 0)
                {
                    plainBest = Math.Min(plainBest, await PlainCopyAsync(client, Path.Combine(directory, $"plain-{run}.bin"), size));
                    managerBest = Math.Min(managerBest, await ManagerAsync(server.BaseAddress, Path.Combine(directory, $"manager-{run}"), size));
                }
                else
                {
                    managerBest = Math.Min(managerBest, await ManagerAsync(server.BaseAddress, Path.Combine(directory, $"manager-{run}"), size));
                    plainBest = Math.Min(plainBest, await PlainCopyAsync(client, Path.Combine(directory, $"plain-{run}.bin"), size));
                }
            }

            var managerRate = size / managerBest / (1024 * 1024);
            var plainRate = size / plainBest / (1024 * 1024);
            var durableRate = size / durableBest / (1024 * 1024);
            var ratio = managerRate / plainRate;
            var met = ratio >= 0.9;
            Console.WriteLine($"{"ContentDownloadManager",-40} {managerRate,10:N1} MB/s  ({managerBest:0.000} s)");
            Console.WriteLine($"{"plain HttpClient stream copy",-40} {plainRate,10:N1} MB/s  ({plainBest:0.000} s)");
            Console.WriteLine($"{"plain copy + final fsync (durable)",-40} {durableRate,10:N1} MB/s  ({durableBest:0.000} s)");
            Console.WriteLine($"{"ratio manager / durable copy",-40} {managerRate / durableRate,10:0.00}x");
            Console.WriteLine($"{"ratio manager / plain (goal >= 0.90)",-40} {ratio,10:0.00}x  {(met ? "met" : "NOT met")}");
            var path = PullScenario.WriteArtifact(
                new
                {
                    scenario = Name,
                    megabytes,
                    runs,
                    processors = Environment.ProcessorCount,
                    os = System.Runtime.InteropServices.RuntimeInformation.OSDescription,
                    figures = new Dictionary<string, double>
                    {
                        ["managerMBPerSecond"] = managerRate,
                        ["plainMBPerSecond"] = plainRate,
                        ["managerSeconds"] = managerBest,
                        ["plainSeconds"] = plainBest,
                        ["durablePlainMBPerSecond"] = durableRate,
                    },
                    ratios = new Dictionary<string, double> { ["managerVsPlain"] = ratio, ["managerVsDurablePlain"] = managerRate / durableRate },
                    goals = new[] { new { name = "manager throughput vs plain HttpClient copy", actual = ratio, target = 0.9, met } },
                },
                Name);
            Console.WriteLine($"wrote {path}");
            return met ? 0 : 1;
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task UploadAsync(HttpClient client, long size, string directory)
    {
        var source = Path.Combine(directory, "source.bin");
        await using (var file = File.Create(source))
        {
            var buffer = new byte[1 << 20];
            var random = new Random(42);
            for (long written = 0; written < size; written += buffer.Length)
            {
                random.NextBytes(buffer);
                await file.WriteAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, size - written)));
            }
        }

        await using (var upload = File.OpenRead(source))
        {
            using var content = new StreamContent(upload);
            using var response = await client.PutAsync("sync/content/" + ResourceId, content);
            response.EnsureSuccessStatusCode();
        }

        File.Delete(source);
    }

    private static async Task<double> PlainCopyAsync(HttpClient client, string path, long size, bool durable = false)
    {
        var watch = Stopwatch.StartNew();
        using (var response = await client.GetAsync("sync/content/" + ResourceId, HttpCompletionOption.ResponseHeadersRead))
        {
            response.EnsureSuccessStatusCode();
            await using var body = await response.Content.ReadAsStreamAsync();
            await using var file = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous);
            await body.CopyToAsync(file);
            if (durable)
            {
                file.Flush(flushToDisk: true);
            }
        }

        watch.Stop();
        Check(path, size);
        File.Delete(path);
        return watch.Elapsed.TotalSeconds;
    }

    private static async Task<double> ManagerAsync(Uri server, string root, long size)
    {
        using var transport = new HttpSyncTransport(server, new StaticAccessTokenProvider("bench"), Scheduler.Default, HttpSyncTransportOptions.Default with { Timeout = TimeSpan.FromMinutes(10) });
        using var network = new InMemoryNetworkMonitor(online: true);
        Directory.CreateDirectory(root);
        await using var store = new SqliteDownloadStore(Path.Combine(root, "downloads.db"));
        await store.OpenAsync();
        await using var manager = await ContentDownloadManager.OpenAsync(
            transport.ContentSource, store, Path.Combine(root, "content"), SyncConfiguration.Default with { StorageQuotaMB = 4096 }, Scheduler.Default, network);
        var done = manager.Connect()
            .SelectMany(changes => changes)
            .Where(c => c.Key == ResourceId && c.Current.State is DownloadState.Completed or DownloadState.Failed)
            .Select(c => c.Current)
            .FirstAsync()
            .ToTask();
        var watch = Stopwatch.StartNew();
        await manager.DownloadForOfflineAsync([new DownloadRequest { ResourceId = ResourceId, ExpectedSize = size }]);
        var record = await done;
        watch.Stop();
        if (record.State != DownloadState.Completed)
        {
            throw new InvalidOperationException($"The download failed: {record.ErrorMessage}");
        }

        Check(record.LocalPath!, size);
        File.Delete(record.LocalPath!);
        return watch.Elapsed.TotalSeconds;
    }

    private static void Check(string path, long size)
    {
        var length = new FileInfo(path).Length;
        if (length != size)
        {
            throw new InvalidOperationException($"{path} has {length} bytes, not {size}.");
        }
    }
}
