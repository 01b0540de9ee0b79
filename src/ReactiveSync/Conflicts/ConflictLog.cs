using Microsoft.Extensions.Logging;
using ReactiveSync.Model;

namespace ReactiveSync.Conflicts;

/// <summary>Log messages of the conflict resolution manager (source-generated, no payloads logged).</summary>
internal static partial class ConflictLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Conflict {ConflictId} on {ResourceType}/{ResourceId} (operation {OperationId}, {OperationType}) detected")]
    public static partial void Detected(ILogger logger, Guid conflictId, ResourceType resourceType, string resourceId, Guid operationId, OperationType operationType);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Information, Message = "Conflict {ConflictId} decided: {Decision}. {Note}")]
    public static partial void Decided(ILogger logger, Guid conflictId, string decision, string? note);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Warning, Message = "Custom conflict resolver for {ResourceType} threw on conflict {ConflictId}; the conflict is parked")]
    public static partial void ResolverThrew(ILogger logger, Exception exception, ResourceType resourceType, Guid conflictId);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Warning, Message = "Stored conflict under {Key} could not be read and is skipped")]
    public static partial void UnreadableStoredConflict(ILogger logger, Exception exception, string key);
}
