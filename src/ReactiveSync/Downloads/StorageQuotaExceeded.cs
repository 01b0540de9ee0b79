namespace ReactiveSync.Downloads;

/// <summary>A download was refused or stopped because it would pass the storage quota (the seed's <c>onStorageQuotaExceeded(usage, limit)</c>).</summary>
/// <param name="Usage">Bytes counted against the quota when it happened, without the refused download.</param>
/// <param name="Limit">The quota in bytes.</param>
/// <param name="ResourceId">The download that did not fit.</param>
/// <param name="RequiredBytes">The bytes it needed (its expected size, or what it had written when an unknown size ran over).</param>
public sealed record StorageQuotaExceeded(long Usage, long Limit, string ResourceId, long RequiredBytes);
