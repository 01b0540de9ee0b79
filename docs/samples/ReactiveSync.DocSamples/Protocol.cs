using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using ReactiveSync.Server;

namespace ReactiveSync.DocSamples;

/// <summary>The samples of docs/protocol.md: hosting the reference server, for real, on 127.0.0.1.</summary>
[Category("Integration")]
public class ProtocolSamples
{
    private string _dataDirectory = null!;

    [SetUp]
    public void CreateDataDirectory() =>
        _dataDirectory = Directory.CreateTempSubdirectory("reactivesync-docs-").FullName;

    [TearDown]
    public void DeleteDataDirectory() => Directory.Delete(_dataDirectory, recursive: true);

    [Test]
    public async Task MapReactiveSync_InAnAspNetCoreApp_ServesHealthAndGuardsSync()
    {
        string[] args = ["--urls", "http://127.0.0.1:0"];
        var dataDirectory = _dataDirectory;

        // #region host
        var builder = WebApplication.CreateBuilder(args);
        builder.Services.AddReactiveSyncServer(options =>
        {
            options.DatabasePath = Path.Combine(dataDirectory, "server.db"); // content goes to "content" beside it
            options.TokenValidator = (token, cancellationToken) => ValueTask.FromResult(token == "let-me-in");
            options.AddValidator("post", op => op.Data?["title"] is null ? "A post needs a title." : null);
            options.MaxContentBytes = 100L * 1024 * 1024;
        });

        var app = builder.Build();
        app.MapReactiveSync(); // POST /sync/push, GET /sync/pull, GET|HEAD|PUT /sync/content/{id}, GET /health
        await app.StartAsync(); // or app.Run() in Program.cs
        // #endregion

        await using (app)
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var http = new HttpClient { BaseAddress = new Uri(address) };
            using var health = await http.GetAsync(new Uri("/health", UriKind.Relative));
            using var anonymous = await http.GetAsync(new Uri("/sync/pull", UriKind.Relative));
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/sync/pull", UriKind.Relative));
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "let-me-in");
            using var authorized = await http.SendAsync(request);

            Assert.Multiple(() =>
            {
                Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
                Assert.That(authorized.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            });
            await app.StopAsync();
        }
    }

    [Test]
    public async Task ReactiveSyncServerHost_Faults_InjectedUntilDisabled()
    {
        // #region faults
        await using var host = await ReactiveSyncServerHost.StartAsync(_dataDirectory, options =>
        {
            options.Faults.Seed = 7;                   // the same seed and requests give the same faults
            options.Faults.ServerErrorRate = 1.0;      // every /sync/* request: 500 or 503, before it is handled
            options.Faults.RetryAfterSeconds = 2;      // sent with 429 and 503
        });
        using var http = new HttpClient { BaseAddress = host.BaseAddress };

        using var faulted = await http.GetAsync(new Uri("sync/pull", UriKind.Relative));
        Assert.That((int)faulted.StatusCode, Is.AnyOf(500, 503));

        host.Options.Faults.Disable();                 // options apply to the next request
        using var healthy = await http.GetAsync(new Uri("sync/pull", UriKind.Relative));
        Assert.That(healthy.StatusCode, Is.EqualTo(HttpStatusCode.OK)); // no TokenValidator: open (local tests only)
        Assert.That(host.Metrics.FaultsInjected, Is.EqualTo(1));
        // #endregion
    }
}
