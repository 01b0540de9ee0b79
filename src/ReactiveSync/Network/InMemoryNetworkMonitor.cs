using System.Reactive.Linq;
using System.Reactive.Subjects;

namespace ReactiveSync.Network;

/// <summary>A network monitor driven by the app or a test: call <see cref="SetStatus"/> when the network changes.</summary>
public sealed class InMemoryNetworkMonitor : INetworkMonitor, IDisposable
{
    private readonly BehaviorSubject<NetworkStatus> _status;

    /// <summary>Creates a monitor that starts online or offline.</summary>
    public InMemoryNetworkMonitor(bool online = true)
    {
        _status = new BehaviorSubject<NetworkStatus>(online ? NetworkStatus.Online : NetworkStatus.Offline);
        Status = _status.DistinctUntilChanged();
    }

    /// <inheritdoc/>
    public IObservable<NetworkStatus> Status { get; }

    /// <summary>The current state.</summary>
    public NetworkStatus Current => _status.Value;

    /// <summary>Sets the state; subscribers see it if it differs from the last one.</summary>
    public void SetStatus(NetworkStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        _status.OnNext(status);
    }

    /// <summary>Sets online or offline.</summary>
    public void SetOnline(bool online) => SetStatus(online ? NetworkStatus.Online : NetworkStatus.Offline);

    /// <inheritdoc/>
    public void Dispose() => _status.Dispose();
}
