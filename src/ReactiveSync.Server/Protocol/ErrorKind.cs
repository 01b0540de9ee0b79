using System.Text.Json.Serialization;

namespace ReactiveSync.Server.Protocol;

/// <summary>The error type of an error body, written in snake_case on the wire (<c>quota_exceeded</c>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ErrorKind>))]
public enum ErrorKind
{
    /// <summary>A transient network or server failure; retryable.</summary>
    [JsonStringEnumMemberName("network")]
    Network,

    /// <summary>Missing, invalid or insufficient credentials.</summary>
    [JsonStringEnumMemberName("authentication")]
    Authentication,

    /// <summary>The request or operation is invalid.</summary>
    [JsonStringEnumMemberName("validation")]
    Validation,

    /// <summary>A version conflict.</summary>
    [JsonStringEnumMemberName("conflict")]
    Conflict,

    /// <summary>The server could not store the change.</summary>
    [JsonStringEnumMemberName("storage")]
    Storage,

    /// <summary>A size or quota limit was passed.</summary>
    [JsonStringEnumMemberName("quota_exceeded")]
    QuotaExceeded,

    /// <summary>Anything else.</summary>
    [JsonStringEnumMemberName("unknown")]
    Unknown,
}
