using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Downloads;

/// <summary>What to download for offline use, when the caller knows it rather than the replica.</summary>
public sealed record DownloadRequest
{
    /// <summary>The resource whose content is downloaded (the server's content is keyed by it).</summary>
    public required string ResourceId { get; init; }

    /// <summary>Where the content lives on the server; informational (the content source addresses it by resource id). Null uses the protocol's <c>/sync/content/{id}</c>.</summary>
    public string? FileUrl { get; init; }

    /// <summary>The expected size in bytes, reserved against the quota before the download starts; null when unknown (then checked while writing).</summary>
    public long? ExpectedSize { get; init; }

    /// <summary>How urgently it is wanted; higher priorities start first.</summary>
    public SyncPriority Priority { get; init; } = SyncPriority.Medium;

    /// <summary>The app's own notes, kept with the download.</summary>
    public JsonNode? Metadata { get; init; }
}
