using System.Text.Json.Serialization;
using ReactiveSync.Model;

namespace ReactiveSync.Background;

/// <summary>A background task as scheduled and persisted by <see cref="BackgroundSyncService"/>, with where it stands now.</summary>
public sealed record BackgroundTask
{
    /// <summary>The task's id; <see cref="BackgroundSyncService.PeriodicSyncTaskId"/> for the periodic sync.</summary>
    public required string Id { get; init; }

    /// <summary>What the task does.</summary>
    public required BackgroundTaskType Type { get; init; }

    /// <summary>Order among due tasks: higher first.</summary>
    public SyncPriority Priority { get; init; } = SyncPriority.Medium;

    /// <summary>The earliest time the task was asked to run.</summary>
    public DateTimeOffset ScheduledAt { get; init; }

    /// <summary>Whether the task waits while the battery is low and not charging, or power saver is on.</summary>
    public bool BatteryOptimized { get; init; }

    /// <summary>Whether the task waits for Wi-Fi (or Ethernet).</summary>
    public bool WifiOnly { get; init; }

    /// <summary>The app's data for the runner, if any.</summary>
    public string? Data { get; init; }

    /// <summary>Where the task stands.</summary>
    public BackgroundTaskState State { get; init; }

    /// <summary>How many times a run has started (including runs cancelled because a constraint stopped holding).</summary>
    public int Attempt { get; init; }

    /// <summary>Failed runs so far; drives the backoff.</summary>
    public int FailureCount { get; init; }

    /// <summary>The earliest time of the next run: <see cref="ScheduledAt"/>, or later after a failure.</summary>
    public DateTimeOffset NextRunAt { get; init; }

    /// <summary>The message of the last failure, if the last run failed.</summary>
    public string? LastError { get; init; }

    /// <summary>The constraints the task waits for while <see cref="BackgroundTaskState.WaitingForConstraints"/>.</summary>
    public BackgroundConstraints UnmetConstraints { get; init; }

    /// <summary>When the task was scheduled.</summary>
    public DateTimeOffset CreatedAt { get; init; }

    /// <summary>Scheduling order; breaks ties between tasks of equal priority and time.</summary>
    public long Sequence { get; init; }

    /// <summary>Whether this is the service's periodic sync rather than a task the app scheduled.</summary>
    [JsonIgnore]
    public bool IsPeriodic => Id == BackgroundSyncService.PeriodicSyncTaskId;
}
