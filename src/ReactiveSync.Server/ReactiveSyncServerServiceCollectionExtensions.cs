using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ReactiveSync.Server.Internal;
using ReactiveSync.Server.Storage;

namespace ReactiveSync.Server;

/// <summary>Registers the ReactiveSync server in an <see cref="IServiceCollection"/>.</summary>
public static class ReactiveSyncServerServiceCollectionExtensions
{
    /// <summary>
    /// Registers the server's options (as a singleton instance that can be changed while running), its metrics and,
    /// unless an <see cref="ISyncServerStore"/> is already registered, a <see cref="SqliteSyncServerStore"/> at
    /// <see cref="ReactiveSyncServerOptions.DatabasePath"/>. Then call <c>app.MapReactiveSync()</c>.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options; may be null.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is null.</exception>
    public static IServiceCollection AddReactiveSyncServer(this IServiceCollection services, Action<ReactiveSyncServerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var options = new ReactiveSyncServerOptions();
        configure?.Invoke(options);
        services.AddRouting();
        services.AddSingleton(options);
        services.TryAddSingleton<SyncServerMetrics>();
        services.TryAddSingleton<ISyncServerStore>(provider =>
        {
            if (string.IsNullOrWhiteSpace(options.DatabasePath))
            {
                throw new InvalidOperationException(
                    $"{nameof(ReactiveSyncServerOptions)}.{nameof(ReactiveSyncServerOptions.DatabasePath)} is required when no {nameof(ISyncServerStore)} is registered.");
            }

            var databasePath = Path.GetFullPath(options.DatabasePath);
            var contentRoot = options.ContentRoot ?? Path.Combine(Path.GetDirectoryName(databasePath)!, "content");
            return new SqliteSyncServerStore(databasePath, contentRoot, ServerClock(provider, options));
        });
        services.TryAddSingleton(provider => new SyncEndpointHandlers(
            options,
            provider.GetRequiredService<ISyncServerStore>(),
            provider.GetRequiredService<SyncServerMetrics>(),
            ServerClock(provider, options)));
        return services;
    }

    internal static TimeProvider ServerClock(IServiceProvider provider, ReactiveSyncServerOptions options) =>
        options.TimeProvider ?? provider.GetService<TimeProvider>() ?? TimeProvider.System;
}
