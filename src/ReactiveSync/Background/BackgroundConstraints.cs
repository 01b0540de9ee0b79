namespace ReactiveSync.Background;

/// <summary>Conditions background work can wait for; a task's <see cref="BackgroundTask.UnmetConstraints"/> lists those it waits for now.</summary>
[Flags]
public enum BackgroundConstraints
{
    /// <summary>Nothing; the work may run.</summary>
    None = 0,

    /// <summary>External power (<see cref="BackgroundSyncConfiguration.RequiresCharging"/>).</summary>
    Charging = 1,

    /// <summary>A battery at or above <see cref="BackgroundSyncConfiguration.MinimumBatteryLevel"/>, or charging (battery-optimized work).</summary>
    BatteryNotLow = 2,

    /// <summary>Power saver off (battery-optimized work).</summary>
    PowerSaverOff = 4,

    /// <summary>An unmetered network (<see cref="NetworkRequirement.Unmetered"/>).</summary>
    UnmeteredNetwork = 8,

    /// <summary>Wi-Fi or Ethernet (Wi-Fi-only work, <see cref="NetworkRequirement.WiFi"/>, or Wi-Fi only in background).</summary>
    WiFi = 16,
}
