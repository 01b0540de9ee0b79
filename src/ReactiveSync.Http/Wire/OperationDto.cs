using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Http.Wire;

/// <summary>One operation as sent in a push, in the protocol's property order.</summary>
internal sealed record OperationDto(
    Guid Id,
    OperationType Type,
    string ResourceType,
    string ResourceId,
    long? BaseVersion,
    JsonNode? Data,
    DateTimeOffset ClientTimestamp,
    IReadOnlyList<Guid> DependsOn);
