using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ReactiveSync.Background;
using ReactiveSync.Model;
using ReactiveSync.Network;
using ReactiveSync.Queue;
using ReactiveSync.Transport;

namespace ReactiveSync.DependencyInjection;

/// <summary>
/// Checks <see cref="ReactiveSyncOptions"/> when they are first read (and at host start, through <c>ValidateOnStart</c>).
/// Throws rather than returning a failure, so the app sees the typed exception naming the field.
/// </summary>
internal sealed class ReactiveSyncOptionsValidator(IServiceProvider services) : IValidateOptions<ReactiveSyncOptions>
{
    /// <exception cref="SyncConfigurationException">A field is invalid or a required port is missing; names it.</exception>
    /// <exception cref="BackgroundSyncConfigurationException">The background configuration is invalid; names the field.</exception>
    public ValidateOptionsResult Validate(string? name, ReactiveSyncOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            throw new SyncConfigurationException(nameof(ReactiveSyncOptions.ClientId), options.ClientId, "must not be empty or blank (set ReactiveSyncOptions.ClientId)");
        }

        if (options.Configuration is null)
        {
            throw new SyncConfigurationException(nameof(ReactiveSyncOptions.Configuration), null, "is required");
        }

        options.Configuration.Validate();
        options.BackgroundSync?.Validate();

        // Checked without building anything: IServiceProviderIsService answers from the registrations alone.
        var registered = services.GetService<IServiceProviderIsService>();
        if (registered is not null)
        {
            RequirePort<IOperationStore>(registered, options.OperationStoreFactory, "OperationStore");
            RequirePort<ISyncTransport>(registered, options.TransportFactory, "Transport");
            RequirePort<INetworkMonitor>(registered, options.NetworkMonitorFactory, "NetworkMonitor");
            if (options.BackgroundSync is not null
                && options.DeviceStateMonitorFactory is null
                && !registered.IsService(typeof(IDeviceStateMonitor)))
            {
                throw new SyncConfigurationException(
                    nameof(ReactiveSyncOptions.BackgroundSync), options.BackgroundSync, "needs a device state monitor: set DeviceStateMonitorFactory or register IDeviceStateMonitor");
            }
        }

        return ValidateOptionsResult.Success;
    }

    private static void RequirePort<T>(IServiceProviderIsService registered, Delegate? factory, string field)
    {
        if (factory is null && !registered.IsService(typeof(T)))
        {
            throw new SyncConfigurationException(field, null, $"is required: set ReactiveSyncOptions.{field}Factory or register {typeof(T).Name} in the container");
        }
    }
}
