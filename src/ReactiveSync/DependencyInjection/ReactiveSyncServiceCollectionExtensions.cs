using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ReactiveSync.DependencyInjection;

/// <summary>Registers the ReactiveSync engine in an <see cref="IServiceCollection"/>.</summary>
public static class ReactiveSyncServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="ReactiveSyncOptions"/> (configured by <paramref name="configure"/>, validated when first read and
    /// at host start), an <see cref="IReactiveSyncEngineProvider"/> that builds the one engine asynchronously, and
    /// <see cref="SyncEngine"/> itself as a singleton that resolves once the provider has built it. The engine logs through
    /// the container's <c>ILoggerFactory</c> when one is registered.
    /// </summary>
    /// <remarks>
    /// At start-up: <c>var engine = await provider.GetRequiredService&lt;IReactiveSyncEngineProvider&gt;().GetEngineAsync();</c>.
    /// Resolving <see cref="SyncEngine"/> before that throws <see cref="InvalidOperationException"/>. Dispose the container
    /// with <c>DisposeAsync</c> (the engine is asynchronously disposable); that disposes the engine and the store it owns.
    /// </remarks>
    /// <param name="services">The services.</param>
    /// <param name="configure">Sets the options.</param>
    /// <returns><paramref name="services"/>, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is null.</exception>
    public static IServiceCollection AddReactiveSync(this IServiceCollection services, Action<ReactiveSyncOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        services.AddOptions<ReactiveSyncOptions>().Configure(configure).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ReactiveSyncOptions>, ReactiveSyncOptionsValidator>());
        services.TryAddSingleton<IReactiveSyncEngineProvider, ReactiveSyncEngineProvider>();
        services.TryAddSingleton(static sp =>
            sp.GetRequiredService<IReactiveSyncEngineProvider>().Engine
            ?? throw new InvalidOperationException(
                "The SyncEngine is built asynchronously: await IReactiveSyncEngineProvider.GetEngineAsync() once at start-up before resolving SyncEngine."));
        return services;
    }
}
