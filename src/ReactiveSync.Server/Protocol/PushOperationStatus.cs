using System.Text.Json.Serialization;

namespace ReactiveSync.Server.Protocol;

/// <summary>The server's answer to one pushed operation, written as a lowercase string on the wire.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<PushOperationStatus>))]
public enum PushOperationStatus
{
    /// <summary>Applied now.</summary>
    [JsonStringEnumMemberName("applied")]
    Applied,

    /// <summary>Applied before under the same (clientId, operation id); the first answer is repeated.</summary>
    [JsonStringEnumMemberName("duplicate")]
    Duplicate,

    /// <summary>Not applied: the base version is stale or the resource is deleted or missing; the server copy comes with it.</summary>
    [JsonStringEnumMemberName("conflict")]
    Conflict,

    /// <summary>Not applied: a validation hook refused it; the error says why.</summary>
    [JsonStringEnumMemberName("rejected")]
    Rejected,
}
