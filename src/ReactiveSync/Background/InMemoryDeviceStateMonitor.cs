using System.Reactive.Linq;
using System.Reactive.Subjects;
using ReactiveSync.Network;

namespace ReactiveSync.Background;

/// <summary>
/// A device state monitor driven by a test or by the app from its platform's APIs (for example MAUI's
/// <c>Battery</c> and <c>Connectivity</c> events and the app's lifecycle callbacks). Thread-safe.
/// </summary>
public sealed class InMemoryDeviceStateMonitor : IDeviceStateMonitor, IDisposable
{
    private readonly object _gate = new();
    private readonly BehaviorSubject<DeviceState> _state;

    /// <summary>Creates a monitor that starts at <paramref name="initial"/>, or <see cref="DeviceState.Unknown"/>.</summary>
    public InMemoryDeviceStateMonitor(DeviceState? initial = null)
    {
        _state = new BehaviorSubject<DeviceState>(initial ?? DeviceState.Unknown);
        State = _state.DistinctUntilChanged();
    }

    /// <inheritdoc/>
    public IObservable<DeviceState> State { get; }

    /// <summary>The current state.</summary>
    public DeviceState Current
    {
        get
        {
            lock (_gate)
            {
                return _state.Value;
            }
        }
    }

    /// <summary>Replaces the state; subscribers see it if it differs from the last one.</summary>
    public void SetState(DeviceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        lock (_gate)
        {
            // Under the lock so that concurrent callers reach observers one at a time, in order.
            _state.OnNext(state);
        }
    }

    /// <summary>Changes the state atomically, e.g. <c>monitor.Update(s => s with { IsForeground = false })</c>.</summary>
    public void Update(Func<DeviceState, DeviceState> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        lock (_gate)
        {
            var next = change(_state.Value) ?? throw new InvalidOperationException("The state change returned null.");
            _state.OnNext(next);
        }
    }

    /// <summary>Sets the battery level (0 to 1, null when unknown) and whether the device is on external power.</summary>
    public void SetBattery(double? level, bool isCharging) => Update(s => s with { BatteryLevel = level, IsCharging = isCharging });

    /// <summary>Sets whether power saver is on.</summary>
    public void SetPowerSaver(bool isPowerSaver) => Update(s => s with { IsPowerSaver = isPowerSaver });

    /// <summary>Sets the network kind and whether it is metered.</summary>
    public void SetNetwork(NetworkKind kind, bool isMetered = false) => Update(s => s with { NetworkKind = kind, IsMetered = isMetered });

    /// <summary>Sets whether the app is in the foreground.</summary>
    public void SetForeground(bool isForeground) => Update(s => s with { IsForeground = isForeground });

    /// <inheritdoc/>
    public void Dispose() => _state.Dispose();
}
