using ReactiveSync.Transport;

namespace ReactiveSync.Demo;

/// <summary>
/// A device's view without a local replica: the server's pull feed read through the device's own transport from the
/// start. Honest only together with an empty queue (nothing of the device's still waits to be sent), which the
/// convergence check requires as well.
/// </summary>
internal sealed class ServerFeedView(ISyncTransport transport) : ILocalView
{
    public string Description => "the server's pull feed read by the device from the start, with its queue empty";

    public Task<IReadOnlyDictionary<ResourceKey, ResourceState>> ReadAsync(CancellationToken cancellationToken) =>
        ServerFeed.ReadAsync(transport, cancellationToken);
}
