namespace ReactiveSync.Downloads;

/// <summary>Space used by offline content (the seed's storage usage).</summary>
/// <param name="TotalSize">Bytes on disk: completed files plus partial files.</param>
/// <param name="DownloadCount">Completed downloads.</param>
/// <param name="ReservedBytes">Bytes counted against the quota: completed files plus the expected size of every download not failed.</param>
/// <param name="QuotaBytes">The configured quota.</param>
public sealed record StorageUsage(long TotalSize, int DownloadCount, long ReservedBytes, long QuotaBytes);
