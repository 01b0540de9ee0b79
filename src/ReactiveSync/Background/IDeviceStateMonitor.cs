namespace ReactiveSync.Background;

/// <summary>Port: the device's power, network and foreground state as a stream (battery, charging, power saver, network kind, metered, foreground).</summary>
public interface IDeviceStateMonitor
{
    /// <summary>
    /// The device state; replays the current value on subscribe, skips duplicates, never errors
    /// (a value that cannot be read is reported as unknown, not as a fault).
    /// </summary>
    IObservable<DeviceState> State { get; }
}
