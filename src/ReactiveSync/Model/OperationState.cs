namespace ReactiveSync.Model;

/// <summary>Where an operation stands in the queue. Completed operations leave the store, so there is no Completed state.</summary>
public enum OperationState
{
    /// <summary>Waiting to be sent, now or at its scheduled time (a scheduled retry is pending with a later time).</summary>
    Pending,

    /// <summary>Taken into a batch that is being pushed.</summary>
    InFlight,

    /// <summary>Failed for good (retries used up, rejected, quota); kept until retried or removed.</summary>
    Failed,

    /// <summary>Parked in a conflict that waits for the app or the user.</summary>
    Conflict,
}
