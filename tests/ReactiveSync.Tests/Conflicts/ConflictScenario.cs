using System.Text.Json.Nodes;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Conflicts;

/// <summary>The shared story of the conflict tests: a post at version 4 that the client edits and the server changes or deletes.</summary>
internal static class ConflictScenario
{
    public const long BaseVersion = 4;
    public const long ChangedVersion = 5;
    public const long DeletedVersion = 6;

    public const string Base = """{"title":"t0","body":"b0","tags":["a"]}""";
    public const string ClientPatch = """{"title":"client"}""";
    public const string ServerChanged = """{"title":"server","body":"server body","tags":["a"]}""";

    /// <summary>The server's last change, by the server's clock.</summary>
    public static readonly DateTimeOffset ServerUpdatedAt = new(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    public static JsonNode Json(string json) => JsonNode.Parse(json)!;

    public static OfflineOperation Update(
        string patch = ClientPatch,
        string? baseData = Base,
        ConflictResolutionStrategy? strategy = null,
        DateTimeOffset? clientTimestamp = null,
        ResourceType? resourceType = null) =>
        Operation(OperationType.Update, Json(patch), baseData is null ? null : Json(baseData), strategy, clientTimestamp, resourceType);

    public static OfflineOperation Delete(ConflictResolutionStrategy? strategy = null, DateTimeOffset? clientTimestamp = null) =>
        Operation(OperationType.Delete, null, Json(Base), strategy, clientTimestamp, null);

    public static OfflineOperation Operation(
        OperationType type,
        JsonNode? data,
        JsonNode? baseData,
        ConflictResolutionStrategy? strategy,
        DateTimeOffset? clientTimestamp,
        ResourceType? resourceType) =>
        new()
        {
            Id = Guid.NewGuid(),
            Type = type,
            ResourceType = resourceType ?? ResourceType.Post,
            ResourceId = "post-1",
            Data = data,
            BaseData = baseData,
            BaseVersion = BaseVersion,
            ConflictResolution = strategy,
            CreatedAt = ServerUpdatedAt,
            ScheduledAt = ServerUpdatedAt,
            ClientTimestamp = clientTimestamp ?? ServerUpdatedAt.AddMinutes(-30),
        };

    public static PushResult Changed(OfflineOperation operation, string server = ServerChanged, DateTimeOffset? updatedAt = null) =>
        new()
        {
            OperationId = operation.Id,
            Status = PushStatus.Conflict,
            Version = ChangedVersion,
            ServerData = Json(server),
            ServerUpdatedAt = updatedAt ?? ServerUpdatedAt,
        };

    public static PushResult Deleted(OfflineOperation operation, DateTimeOffset? updatedAt = null) =>
        new()
        {
            OperationId = operation.Id,
            Status = PushStatus.Conflict,
            Version = DeletedVersion,
            ServerDeleted = true,
            ServerUpdatedAt = updatedAt ?? ServerUpdatedAt,
        };

    /// <summary>Compact JSON for assertions; "null" for null.</summary>
    public static string Show(JsonNode? node) => node?.ToJsonString() ?? "null";
}
