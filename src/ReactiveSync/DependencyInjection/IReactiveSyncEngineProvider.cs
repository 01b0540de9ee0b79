namespace ReactiveSync.DependencyInjection;

/// <summary>
/// Gives the container's one <see cref="SyncEngine"/>, which is built asynchronously (it opens its store) on the first call
/// of <see cref="GetEngineAsync"/>. Registered by <see cref="ReactiveSyncServiceCollectionExtensions.AddReactiveSync"/>.
/// </summary>
/// <remarks>
/// Await <see cref="GetEngineAsync"/> once at start-up (e.g. in the app's startup or a hosted service); after that,
/// <see cref="SyncEngine"/> can also be injected directly. The provider disposes the engine when the container is disposed
/// with <c>DisposeAsync</c>.
/// </remarks>
public interface IReactiveSyncEngineProvider
{
    /// <summary>The engine, if it has been built.</summary>
    SyncEngine? Engine { get; }

    /// <summary>
    /// The engine, built from the options on the first call (concurrent callers share that build; a failed build is tried
    /// again on the next call).
    /// </summary>
    /// <param name="cancellationToken">Cancels this caller's wait, not the shared build.</param>
    /// <exception cref="Model.SyncConfigurationException">The options are invalid; names the field.</exception>
    /// <exception cref="ObjectDisposedException">The container was disposed.</exception>
    Task<SyncEngine> GetEngineAsync(CancellationToken cancellationToken = default);
}
