using ReactiveSync.Network;

namespace ReactiveSync.Background;

/// <summary>The pure rules of background work: which constraints are unmet, and how long a failure backs off.</summary>
internal static class BackgroundPolicy
{
    /// <summary>The constraints that do not hold for work with these flags on this device.</summary>
    public static BackgroundConstraints Unmet(BackgroundSyncConfiguration config, DeviceState device, bool batteryOptimized, bool wifiOnly)
    {
        var unmet = BackgroundConstraints.None;
        if (config.RequiresCharging && !device.IsCharging)
        {
            unmet |= BackgroundConstraints.Charging;
        }

        if (batteryOptimized)
        {
            // An unknown level (no battery, unreadable) does not hold work back.
            if (device.BatteryLevel is { } level && level < config.MinimumBatteryLevel && !device.IsCharging)
            {
                unmet |= BackgroundConstraints.BatteryNotLow;
            }

            if (device.IsPowerSaver)
            {
                unmet |= BackgroundConstraints.PowerSaverOff;
            }
        }

        var needsWifi = wifiOnly
            || config.RequiredNetwork == NetworkRequirement.WiFi
            || (config.WifiOnlyBackground && !device.IsForeground);
        if (needsWifi && device.NetworkKind is not (NetworkKind.WiFi or NetworkKind.Ethernet))
        {
            unmet |= BackgroundConstraints.WiFi;
        }
        else if (config.RequiredNetwork == NetworkRequirement.Unmetered && (device.NetworkKind == NetworkKind.None || device.IsMetered))
        {
            unmet |= BackgroundConstraints.UnmeteredNetwork;
        }

        return unmet;
    }

    /// <summary>The delay after the <paramref name="failures"/>-th consecutive failure (1-based): initial × multiplier^(failures−1), capped.</summary>
    public static TimeSpan Backoff(BackgroundSyncConfiguration config, int failures)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(failures, 1);
        var ticks = config.TaskBackoffInitialDelay.Ticks * Math.Pow(config.TaskBackoffMultiplier, failures - 1);
        // Compare as double first: the power overflows long long before it overflows double.
        return ticks >= config.TaskBackoffMaxDelay.Ticks ? config.TaskBackoffMaxDelay : TimeSpan.FromTicks((long)ticks);
    }
}
