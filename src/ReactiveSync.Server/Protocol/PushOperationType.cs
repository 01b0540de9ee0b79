using System.Text.Json.Serialization;

namespace ReactiveSync.Server.Protocol;

/// <summary>The kind of a pushed operation, written as a lowercase string on the wire.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PushOperationType>))]
public enum PushOperationType
{
    /// <summary>Creates a resource that does not exist (or exists deleted).</summary>
    [JsonStringEnumMemberName("create")]
    Create,

    /// <summary>Applies a JSON merge patch to an existing resource, checking the base version when given.</summary>
    [JsonStringEnumMemberName("update")]
    Update,

    /// <summary>Soft-deletes a resource, checking the base version when given.</summary>
    [JsonStringEnumMemberName("delete")]
    Delete,

    /// <summary>Records an upload whose bytes were PUT to the content endpoint before; merges metadata without a version check.</summary>
    [JsonStringEnumMemberName("upload")]
    Upload,

    /// <summary>Changes nothing on the server; answered with the current version.</summary>
    [JsonStringEnumMemberName("download")]
    Download,
}
