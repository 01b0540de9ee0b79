using System.Net.Http.Headers;
using ReactiveSync.Server;
using ReactiveSync.Server.Storage;

namespace ReactiveSync.IntegrationTests.Support;

/// <summary>
/// A real ReactiveSync server on Kestrel at 127.0.0.1 (free port) with its SQLite database in a fresh temp folder,
/// deleted on dispose. Start one per fixture in [OneTimeSetUp].
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private TestServer(ReactiveSyncServerHost host, string dataDirectory)
    {
        Host = host;
        DataDirectory = dataDirectory;
    }

    /// <summary>The running host.</summary>
    public ReactiveSyncServerHost Host { get; }

    /// <summary>The temp folder holding <c>server.db</c> and <c>content/</c>.</summary>
    public string DataDirectory { get; }

    /// <summary>The base address, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress => Host.BaseAddress;

    /// <summary>The server's options (changeable while running).</summary>
    public ReactiveSyncServerOptions Options => Host.Options;

    /// <summary>The server's counters.</summary>
    public SyncServerMetrics Metrics => Host.Metrics;

    /// <summary>The server's store.</summary>
    public ISyncServerStore Store => Host.Store;

    /// <summary>Starts a server in a fresh temp folder.</summary>
    public static async Task<TestServer> StartAsync(Action<ReactiveSyncServerOptions>? configure = null, CancellationToken cancellationToken = default)
    {
        var directory = Path.Combine(Path.GetTempPath(), "reactivesync-it", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(directory);
        try
        {
            var host = await ReactiveSyncServerHost.StartAsync(directory, configure, cancellationToken: cancellationToken);
            return new TestServer(host, directory);
        }
        catch
        {
            Directory.Delete(directory, recursive: true);
            throw;
        }
    }

    /// <summary>An HttpClient for the server, sending <paramref name="token"/> as a bearer token when given.</summary>
    public HttpClient CreateClient(string? token = "test-token")
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        if (token is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        return client;
    }

    /// <summary>Stops the server and deletes its folder.</summary>
    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by the OS: leave the temp folder.
        }
    }
}
