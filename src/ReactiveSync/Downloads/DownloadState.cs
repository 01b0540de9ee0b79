namespace ReactiveSync.Downloads;

/// <summary>Where a content download stands (the seed's download status, plus the states a download waits in).</summary>
public enum DownloadState
{
    /// <summary>Queued; starts when a slot is free, in priority order.</summary>
    Pending,

    /// <summary>Transferring bytes now.</summary>
    Downloading,

    /// <summary>Held while the device is offline; resumes from the bytes already kept when it is back online.</summary>
    Paused,

    /// <summary>Held until the device is on Wi-Fi (or wired), because it is larger than the configured limit for other networks.</summary>
    WaitingForWiFi,

    /// <summary>The whole file is in place under the content root.</summary>
    Completed,

    /// <summary>Failed for good (not found, quota, retries used up); its partial bytes were removed and its space freed.</summary>
    Failed,
}
