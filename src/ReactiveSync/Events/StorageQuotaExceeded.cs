namespace ReactiveSync.Events;

/// <summary>Offline content would exceed the configured storage quota.</summary>
/// <param name="UsageBytes">Bytes in use (or that would be).</param>
/// <param name="LimitBytes">The quota in bytes.</param>
public sealed record StorageQuotaExceeded(long UsageBytes, long LimitBytes) : SyncEvent;
