namespace ReactiveSync.Background;

/// <summary>
/// How <see cref="BackgroundSyncService"/> runs work: the seed's fields (sync interval, Wi-Fi only in background, battery
/// optimized) plus WorkManager-like constraints and backoff bounds. Immutable; <see cref="Validate"/> names the first invalid field.
/// </summary>
/// <remarks>
/// <see cref="RequiresCharging"/> and <see cref="RequiredNetwork"/> hold for all work, foreground or background;
/// <see cref="WifiOnlyBackground"/> only while the app is in the background. Battery optimization (minimum level, power
/// saver) applies to the periodic sync when <see cref="BatteryOptimized"/> is set and to a task when its own flag is set.
/// </remarks>
public sealed record BackgroundSyncConfiguration
{
    /// <summary>The defaults.</summary>
    public static BackgroundSyncConfiguration Default { get; } = new();

    /// <summary>Whether the service runs a sync on its own every interval. Default true.</summary>
    public bool PeriodicSyncEnabled { get; init; } = true;

    /// <summary>Time between periodic syncs while the app is in the foreground (seed: <c>syncInterval</c>). Default 30 s.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>Time between periodic syncs while the app is in the background; not shorter than <see cref="SyncInterval"/>. Default 15 min.</summary>
    public TimeSpan BackgroundSyncInterval { get; init; } = TimeSpan.FromMinutes(15);

    /// <summary>Whether all work waits for Wi-Fi (or Ethernet) while the app is in the background (seed: <c>wifiOnlyBackground</c>). Default false.</summary>
    public bool WifiOnlyBackground { get; init; }

    /// <summary>Whether the periodic sync waits while the battery is low and not charging, or power saver is on (seed: <c>batteryOptimized</c>). Default true.</summary>
    public bool BatteryOptimized { get; init; } = true;

    /// <summary>The battery level, 0 to 1, below which battery-optimized work waits unless charging. Default 0.15 (Android's "battery low").</summary>
    public double MinimumBatteryLevel { get; init; } = 0.15;

    /// <summary>Whether all work waits for external power. Default false.</summary>
    public bool RequiresCharging { get; init; }

    /// <summary>The network all work needs. Default <see cref="NetworkRequirement.Any"/>.</summary>
    public NetworkRequirement RequiredNetwork { get; init; } = NetworkRequirement.Any;

    /// <summary>Delay before the first retry of failed work. Default 30 s (WorkManager's).</summary>
    public TimeSpan TaskBackoffInitialDelay { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest retry delay. Default 1 hour.</summary>
    public TimeSpan TaskBackoffMaxDelay { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Growth of the retry delay per consecutive failure, at least 1. Default 2.</summary>
    public double TaskBackoffMultiplier { get; init; } = 2;

    /// <summary>Checks every field and throws <see cref="BackgroundSyncConfigurationException"/> naming the first invalid one.</summary>
    /// <returns>This configuration, for chaining.</returns>
    public BackgroundSyncConfiguration Validate()
    {
        Require(SyncInterval > TimeSpan.Zero, nameof(SyncInterval), SyncInterval, "must be positive");
        Require(BackgroundSyncInterval >= SyncInterval, nameof(BackgroundSyncInterval), BackgroundSyncInterval, $"must not be shorter than SyncInterval ({SyncInterval})");
        Require(double.IsFinite(MinimumBatteryLevel) && MinimumBatteryLevel is >= 0 and <= 1, nameof(MinimumBatteryLevel), MinimumBatteryLevel, "must be between 0 and 1");
        Require(Enum.IsDefined(RequiredNetwork), nameof(RequiredNetwork), RequiredNetwork, "is not a known requirement");
        Require(TaskBackoffInitialDelay > TimeSpan.Zero, nameof(TaskBackoffInitialDelay), TaskBackoffInitialDelay, "must be positive");
        Require(TaskBackoffMaxDelay >= TaskBackoffInitialDelay, nameof(TaskBackoffMaxDelay), TaskBackoffMaxDelay, $"must not be below TaskBackoffInitialDelay ({TaskBackoffInitialDelay})");
        Require(double.IsFinite(TaskBackoffMultiplier) && TaskBackoffMultiplier >= 1, nameof(TaskBackoffMultiplier), TaskBackoffMultiplier, "must be at least 1");
        return this;
    }

    private static void Require(bool condition, string field, object value, string rule)
    {
        if (!condition)
        {
            throw new BackgroundSyncConfigurationException(field, value, rule);
        }
    }
}
