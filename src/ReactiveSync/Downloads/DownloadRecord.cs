using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Downloads;

/// <summary>One content download as it is stored and shown (a row of the seed's <c>file_downloads</c> table).</summary>
public sealed record DownloadRecord
{
    /// <summary>The download's own id.</summary>
    public required string Id { get; init; }

    /// <summary>The resource whose content is downloaded; one download per resource.</summary>
    public required string ResourceId { get; init; }

    /// <summary>Where the content lives on the server.</summary>
    public required string FileUrl { get; init; }

    /// <summary>The completed file, under the content root; null until complete.</summary>
    public string? LocalPath { get; init; }

    /// <summary>The size in bytes, when known.</summary>
    public long? FileSize { get; init; }

    /// <summary>Bytes written and flushed to the partial file (or the whole size once complete).</summary>
    public long DownloadedSize { get; init; }

    /// <summary>Where the download stands.</summary>
    public DownloadState State { get; init; } = DownloadState.Pending;

    /// <summary>How urgently it is wanted.</summary>
    public SyncPriority Priority { get; init; } = SyncPriority.Medium;

    /// <summary>Why it failed, when it did.</summary>
    public string? ErrorMessage { get; init; }

    /// <summary>When it was requested (scheduler time).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When it completed (scheduler time).</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The strong entity tag of the bytes held, used to resume with <c>If-Range</c>; null when none.</summary>
    public string? ETag { get; init; }

    /// <summary>The order it was requested in, among downloads of equal priority.</summary>
    public long Order { get; init; }

    /// <summary>The app's own notes.</summary>
    public JsonNode? Metadata { get; init; }

    /// <summary>The share done, from 0 to 1; 0 while the size is unknown.</summary>
    public double Progress => State == DownloadState.Completed ? 1 : FileSize is > 0 and var size ? Math.Min(1, (double)DownloadedSize / size) : 0;
}
