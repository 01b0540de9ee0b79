namespace ReactiveSync.Downloads;

/// <summary>How far one download has come (the seed's progress listener payload).</summary>
/// <param name="ResourceId">The resource downloaded.</param>
/// <param name="BytesDownloaded">Bytes received so far.</param>
/// <param name="TotalBytes">The size, when known.</param>
/// <param name="Percent">0 to 100; null while the size is unknown.</param>
/// <param name="State">Where the download stands.</param>
public sealed record DownloadProgress(string ResourceId, long BytesDownloaded, long? TotalBytes, double? Percent, DownloadState State);
