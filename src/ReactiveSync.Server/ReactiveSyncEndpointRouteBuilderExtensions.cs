using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using ReactiveSync.Server.Internal;

namespace ReactiveSync.Server;

/// <summary>Maps the ReactiveSync protocol's endpoints.</summary>
public static class ReactiveSyncEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps <c>POST /sync/push</c>, <c>GET /sync/pull</c>, <c>GET|HEAD|PUT /sync/content/{resourceId}</c> and
    /// <c>GET /health</c> as the sync protocol describes. <c>/sync/*</c> requests pass fault injection (when
    /// configured) and then the bearer-token check; <c>/health</c> is open.
    /// </summary>
    /// <param name="endpoints">The app or route builder; <c>services.AddReactiveSyncServer()</c> must have been called.</param>
    /// <returns>A builder for conventions applying to all the mapped endpoints.</returns>
    /// <exception cref="InvalidOperationException"><c>AddReactiveSyncServer</c> was not called.</exception>
    public static IEndpointConventionBuilder MapReactiveSync(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var handlers = endpoints.ServiceProvider.GetService<SyncEndpointHandlers>()
            ?? throw new InvalidOperationException("Call services.AddReactiveSyncServer(...) before app.MapReactiveSync().");
        var group = endpoints.MapGroup(string.Empty);
        group.MapPost("/sync/push", handlers.Guarded(handlers.PushAsync));
        group.MapGet("/sync/pull", handlers.Guarded(handlers.PullAsync));
        group.MapMethods("/sync/content/{**resourceId}", [HttpMethods.Get, HttpMethods.Head], handlers.Guarded(handlers.GetContentAsync));
        group.MapPut("/sync/content/{**resourceId}", handlers.Guarded(handlers.PutContentAsync));
        group.MapGet("/health", handlers.HealthAsync);
        return group;
    }
}
