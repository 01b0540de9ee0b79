using ReactiveSync.Http.Wire;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Http.Internal;

/// <summary>Maps operations to the wire and validated wire answers back to the transport's records.</summary>
internal static class WireMapper
{
    /// <summary>Answers the operation when it can go on the wire, else throws the caller's argument exception.</summary>
    public static OfflineOperation Validate(OfflineOperation operation, int index)
    {
        if (operation is null)
        {
            throw new ArgumentException($"operations[{index}] is null.", "operations");
        }

        if (!operation.ResourceType.IsValid)
        {
            throw new ArgumentException($"operations[{index}] ({operation.Id}) has no resource type.", "operations");
        }

        if (string.IsNullOrEmpty(operation.ResourceId))
        {
            throw new ArgumentException($"operations[{index}] ({operation.Id}) has no resource id.", "operations");
        }

        return operation;
    }

    public static IReadOnlyList<PushResult> FromWire(PushResponseDto dto, IReadOnlyList<OfflineOperation> operations, string what, int status)
    {
        SyncException Malformed(string detail) => new(HttpErrorClassifier.Malformed(what, detail, status));

        if (dto.Results is not { } results)
        {
            throw Malformed("'results' is missing");
        }

        if (results.Count != operations.Count)
        {
            throw Malformed($"it has {results.Count} results for {operations.Count} operations");
        }

        var mapped = new PushResult[results.Count];
        for (var i = 0; i < results.Count; i++)
        {
            var result = results[i] ?? throw Malformed($"result {i} is null");
            var operationId = result.OperationId ?? throw Malformed($"result {i} lacks 'operationId'");
            if (operationId != operations[i].Id)
            {
                throw Malformed($"result {i} is for operation {operationId}, expected {operations[i].Id}");
            }

            var pushStatus = result.Status ?? throw Malformed($"result {i} lacks 'status'");
            mapped[i] = new PushResult
            {
                OperationId = operationId,
                Status = pushStatus,
                Version = result.Version,
                ServerData = result.ServerData,
                ServerDeleted = result.ServerDeleted ?? false,
                ServerUpdatedAt = result.ServerUpdatedAt,
                Error = result.Error is { } error
                    ? SyncError.Of(error.Type ?? SyncErrorType.Validation, error.Message ?? "The server gave no reason.")
                    : pushStatus == PushStatus.Rejected
                        ? SyncError.Of(SyncErrorType.Validation, "The server rejected the operation without a reason.")
                        : null,
            };
        }

        return mapped;
    }

    public static PullPage FromWire(PullResponseDto dto, string what, int status)
    {
        SyncException Malformed(string detail) => new(HttpErrorClassifier.Malformed(what, detail, status));

        var changes = dto.Changes ?? throw Malformed("'changes' is missing");
        var checkpoint = dto.Checkpoint ?? throw Malformed("'checkpoint' is missing");
        var hasMore = dto.HasMore ?? throw Malformed("'hasMore' is missing");
        var mapped = new ServerChange[changes.Count];
        for (var i = 0; i < changes.Count; i++)
        {
            var change = changes[i] ?? throw Malformed($"change {i} is null");
            var typeName = change.ResourceType ?? throw Malformed($"change {i} lacks 'resourceType'");
            if (!ResourceType.IsValidName(typeName))
            {
                throw Malformed($"change {i} has an invalid 'resourceType'");
            }

            mapped[i] = new ServerChange
            {
                ResourceType = ResourceType.From(typeName),
                ResourceId = change.ResourceId is { Length: > 0 } id ? id : throw Malformed($"change {i} lacks 'resourceId'"),
                Version = change.Version ?? throw Malformed($"change {i} lacks 'version'"),
                Data = change.Data,
                Deleted = change.Deleted ?? false,
                UpdatedAt = change.UpdatedAt ?? throw Malformed($"change {i} lacks 'updatedAt'"),
                ContentUrl = change.ContentUrl,
                ContentSize = change.ContentSize,
            };
        }

        return new PullPage(mapped, checkpoint, hasMore);
    }
}
