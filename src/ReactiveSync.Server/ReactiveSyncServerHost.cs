using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ReactiveSync.Server.Storage;

namespace ReactiveSync.Server;

/// <summary>
/// A ReactiveSync server running on Kestrel in this process, with its SQLite database and content under one
/// folder: for the demo, integration tests and benchmarks. Dispose it to stop the server and release the database.
/// </summary>
public sealed class ReactiveSyncServerHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private ReactiveSyncServerHost(WebApplication app, Uri baseAddress)
    {
        _app = app;
        BaseAddress = baseAddress;
        Options = app.Services.GetRequiredService<ReactiveSyncServerOptions>();
        Metrics = app.Services.GetRequiredService<SyncServerMetrics>();
        Store = app.Services.GetRequiredService<ISyncServerStore>();
    }

    /// <summary>The server's base address with a trailing slash, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The server's options; limits, validators, the token validator and faults may be changed while it runs.</summary>
    public ReactiveSyncServerOptions Options { get; }

    /// <summary>The server's counters.</summary>
    public SyncServerMetrics Metrics { get; }

    /// <summary>The server's store, to inspect what it holds.</summary>
    public ISyncServerStore Store { get; }

    /// <summary>The server's services.</summary>
    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// Starts a server listening on <paramref name="url"/> (port 0 picks a free port) with the database
    /// <c>server.db</c> and the folder <c>content</c> under <paramref name="dataDirectory"/> (created when missing).
    /// </summary>
    /// <param name="dataDirectory">The folder of the database and content; reused data is kept.</param>
    /// <param name="configure">Sets options after the defaults (database and content paths) are set; may be null.</param>
    /// <param name="url">An <c>http://</c> address with an IP address or <c>localhost</c> (loopback) and a port; default 127.0.0.1 on a free port.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server.</returns>
    /// <exception cref="ArgumentException"><paramref name="dataDirectory"/> is empty or <paramref name="url"/> is not such an address.</exception>
    public static async Task<ReactiveSyncServerHost> StartAsync(
        string dataDirectory,
        Action<ReactiveSyncServerOptions>? configure = null,
        string url = "http://127.0.0.1:0",
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDirectory);
        ArgumentException.ThrowIfNullOrWhiteSpace(url);
        var endpoint = ParseEndpoint(url);
        var directory = Path.GetFullPath(dataDirectory);
        Directory.CreateDirectory(directory);

        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ContentRootPath = directory });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Listen(endpoint);
        });
        builder.Services.AddReactiveSyncServer(options =>
        {
            options.DatabasePath = Path.Combine(directory, "server.db");
            options.ContentRoot = Path.Combine(directory, "content");
            configure?.Invoke(options);
        });

        var app = builder.Build();
        app.UseRouting();
        app.MapReactiveSync();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address.");
        return new ReactiveSyncServerHost(app, new Uri(address.TrimEnd('/') + "/"));
    }

    /// <summary>Stops the server (open requests get a moment to finish) and releases the database; safe to call twice.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        try
        {
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static IPEndPoint ParseEndpoint(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttp)
        {
            throw new ArgumentException($"'{url}' is not an http:// address.", nameof(url));
        }

        var port = uri.Port;
        if (string.Equals(uri.Host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, port)
            : throw new ArgumentException($"The host of '{url}' must be an IP address or localhost.", nameof(url));
    }
}
