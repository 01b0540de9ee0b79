using ReactiveSync.Model;

namespace ReactiveSync.Background;

/// <summary>A request to run a background task (the seed's <c>scheduleTask</c> fields), for <see cref="BackgroundSyncService.ScheduleTaskAsync"/>.</summary>
/// <param name="Type">What the task does.</param>
public sealed record BackgroundTaskRequest(BackgroundTaskType Type)
{
    /// <summary>Order among due tasks: higher first. Default Medium.</summary>
    public SyncPriority Priority { get; init; } = SyncPriority.Medium;

    /// <summary>The earliest time the task may run; null means now. A time in the past runs as soon as the constraints hold.</summary>
    public DateTimeOffset? ScheduledAt { get; init; }

    /// <summary>Whether the task waits while the battery is low and not charging, or power saver is on. Default true.</summary>
    public bool BatteryOptimized { get; init; } = true;

    /// <summary>Whether the task waits for Wi-Fi (or Ethernet). Default false.</summary>
    public bool WifiOnly { get; init; }

    /// <summary>Optional data for the runner (for example resource ids as JSON); persisted with the task, never logged.</summary>
    public string? Data { get; init; }
}
