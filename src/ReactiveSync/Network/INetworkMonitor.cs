namespace ReactiveSync.Network;

/// <summary>Port: the network state as a stream that replays the current state on subscribe and skips duplicates.</summary>
public interface INetworkMonitor
{
    /// <summary>The network state; replays the current value, never errors, skips duplicates.</summary>
    IObservable<NetworkStatus> Status { get; }
}
