using ReactiveSync.Network;

namespace ReactiveSync.Background;

/// <summary>
/// What the device says about power, network and the app's visibility, as read by an <see cref="IDeviceStateMonitor"/>.
/// Background work is held or released by comparing it with a <see cref="BackgroundSyncConfiguration"/>.
/// </summary>
public sealed record DeviceState
{
    /// <summary>A state that knows nothing: no battery level, not charging, unknown network, app in foreground.</summary>
    public static DeviceState Unknown { get; } = new();

    /// <summary>
    /// Battery charge from 0 (empty) to 1 (full); null when the device has no battery or the level cannot be read,
    /// in which case battery-level constraints are treated as met.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not null and not between 0 and 1.</exception>
    public double? BatteryLevel
    {
        get;
        init => field = value is null or (>= 0 and <= 1)
            ? value
            : throw new ArgumentOutOfRangeException(nameof(BatteryLevel), value, "BatteryLevel must be between 0 and 1, or null when unknown.");
    }

    /// <summary>Whether the device runs on external power (charging, or full while plugged in, or a machine without a battery).</summary>
    public bool IsCharging { get; init; }

    /// <summary>Whether the system's power saver (battery saver, low-power profile) is on.</summary>
    public bool IsPowerSaver { get; init; }

    /// <summary>The kind of network the device is on.</summary>
    public NetworkKind NetworkKind { get; init; } = NetworkKind.Unknown;

    /// <summary>Whether the network is metered (mobile data, a metered hotspot).</summary>
    public bool IsMetered { get; init; }

    /// <summary>Whether the app is in the foreground; false while it runs in the background.</summary>
    public bool IsForeground { get; init; } = true;
}
