using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// A tiny Kestrel app on 127.0.0.1 that answers <c>POST /sync/push</c> the way a broken server, proxy or captive portal
/// would (<see cref="Mode"/>), or correctly in mode <c>good</c>. It keeps no data: it records which operation ids it
/// answered <c>applied</c>.
/// </summary>
public sealed class MalformedAnswerServer : IAsyncDisposable
{
    private WebApplication _app = null!;
    private int _pushes;

    /// <summary>How the next push is answered: invalid-json, wrong-count, missing-fields, html-200, html-502, truncated-json, cut-connection or good.</summary>
    public string Mode { get; set; } = "good";

    /// <summary>The server's address.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>Operation ids answered <c>applied</c> in mode good.</summary>
    public ConcurrentBag<Guid> Applied { get; } = [];

    /// <summary>Push requests received.</summary>
    public int Pushes => Volatile.Read(ref _pushes);

    /// <summary>Starts the app on a free port.</summary>
    public static async Task<MalformedAnswerServer> StartAsync()
    {
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions());
        builder.Logging.SetMinimumLevel(LogLevel.Critical);
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var server = new MalformedAnswerServer { _app = builder.Build() };
        server._app.Run(server.HandleAsync);
        await server._app.StartAsync();
        var address = server._app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    /// <inheritdoc/>
    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        if (context.Request.Path != "/sync/push" || context.Request.Method != "POST")
        {
            context.Response.StatusCode = 404;
            return;
        }

        Interlocked.Increment(ref _pushes);
        var request = JsonNode.Parse(await new StreamReader(context.Request.Body).ReadToEndAsync())!;
        var ids = request["operations"]!.AsArray().Select(o => Guid.Parse(o!["id"]!.GetValue<string>())).ToList();
        var response = context.Response;
        switch (Mode)
        {
            case "invalid-json":
                await WriteJsonAsync(response, $"{{\"results\":[{{\"operationId\":\"{ids[0]}\" \"status\" applied}}]}}");
                break;
            case "wrong-count":
                await WriteJsonAsync(response, Results(ids.Skip(1)).ToJsonString());
                break;
            case "missing-fields":
                await WriteJsonAsync(response, new JsonObject
                {
                    ["results"] = new JsonArray(ids.Select(id => (JsonNode)new JsonObject { ["operationId"] = id.ToString() }).ToArray()),
                }.ToJsonString());
                break;
            case "html-200":
                response.ContentType = "text/html; charset=utf-8";
                await response.WriteAsync("<!DOCTYPE html><html><head><title>Wi-Fi</title></head><body>Please sign in to use the Wi-Fi.</body></html>");
                break;
            case "html-502":
                response.StatusCode = 502;
                response.ContentType = "text/html";
                await response.WriteAsync("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center><hr><center>nginx</center></body></html>");
                break;
            case "truncated-json":
                var whole = Results(ids).ToJsonString();
                await WriteJsonAsync(response, whole[..(whole.Length / 2)]);
                break;
            case "cut-connection":
                var bytes = Encoding.UTF8.GetBytes(Results(ids).ToJsonString());
                response.ContentType = "application/json";
                response.ContentLength = bytes.Length + 1000;
                await response.Body.WriteAsync(bytes.AsMemory(0, bytes.Length / 2));
                await response.Body.FlushAsync();
                context.Abort();
                break;
            default:
                await WriteJsonAsync(response, Results(ids).ToJsonString());
                foreach (var id in ids)
                {
                    Applied.Add(id);
                }

                break;
        }
    }

    private static JsonObject Results(IEnumerable<Guid> ids) => new()
    {
        ["results"] = new JsonArray(ids.Select(id => (JsonNode)new JsonObject
        {
            ["operationId"] = id.ToString(),
            ["status"] = "applied",
            ["version"] = 1,
            ["serverUpdatedAt"] = "2026-11-25T10:00:00+00:00",
        }).ToArray()),
    };

    private static Task WriteJsonAsync(HttpResponse response, string body)
    {
        response.ContentType = "application/json";
        return response.WriteAsync(body);
    }
}
