using System.Text;
using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// Checks a request and turns it into an operation. Pure (no store access), shared by every store, so all reject
/// the same input. Rejections are <see cref="ArgumentException"/>s whose ParamName is the request's field.
/// </summary>
internal static class OperationValidator
{
    /// <summary>The longest resource id accepted.</summary>
    public const int MaxResourceIdLength = 256;

    public static OfflineOperation Validate(OperationRequest request, SyncConfiguration configuration, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!Enum.IsDefined(request.Type))
        {
            throw Reject(nameof(OperationRequest.Type), $"Operation type {(int)request.Type} is not defined.");
        }

        if (!request.ResourceType.IsValid || !ResourceType.IsValidName(request.ResourceType.Value))
        {
            throw Reject(nameof(OperationRequest.ResourceType), "A valid resource type is required.");
        }

        if (!Enum.IsDefined(request.Priority))
        {
            throw Reject(nameof(OperationRequest.Priority), $"Priority {(int)request.Priority} is not defined.");
        }

        if (request.MaxRetries is < 0)
        {
            throw Reject(nameof(OperationRequest.MaxRetries), $"MaxRetries must not be negative; got {request.MaxRetries}.");
        }

        if (request.ConflictResolution is { } strategy && !Enum.IsDefined(strategy))
        {
            throw Reject(nameof(OperationRequest.ConflictResolution), $"Conflict strategy {(int)strategy} is not defined.");
        }

        if (request.Id == Guid.Empty)
        {
            throw Reject(nameof(OperationRequest.Id), "The operation id must not be Guid.Empty.");
        }

        if (request.BaseVersion is < 0)
        {
            throw Reject(nameof(OperationRequest.BaseVersion), $"BaseVersion must not be negative; got {request.BaseVersion}.");
        }

        var resourceId = request.ResourceId;
        if (resourceId is null && request.Type == OperationType.Create)
        {
            resourceId = Version7Guid.Create(now).ToString();
        }

        if (string.IsNullOrWhiteSpace(resourceId))
        {
            throw Reject(nameof(OperationRequest.ResourceId), $"A resource id is required for {request.Type}.");
        }

        if (resourceId.Length > MaxResourceIdLength)
        {
            throw Reject(nameof(OperationRequest.ResourceId), $"A resource id may have at most {MaxResourceIdLength} characters; got {resourceId.Length}.");
        }

        if (UntransportableCharacter(resourceId) is { } position)
        {
            throw Reject(
                nameof(OperationRequest.ResourceId),
                $"A resource id must not contain NUL or an unpaired surrogate (found at index {position}): it could not be stored and sent faithfully.");
        }

        if (request.Type is OperationType.Create or OperationType.Update && request.Data is null)
        {
            throw Reject(nameof(OperationRequest.Data), $"Data is required for {request.Type}.");
        }

        if (request.Data is not null)
        {
            var bytes = Encoding.UTF8.GetByteCount(request.Data.ToJsonString());
            if (bytes > configuration.MaxOperationDataBytes)
            {
                throw Reject(nameof(OperationRequest.Data), $"Data has {bytes} bytes of UTF-8 JSON; at most {configuration.MaxOperationDataBytes} are allowed.");
            }
        }

        if (request.DependsOn is null)
        {
            throw Reject(nameof(OperationRequest.DependsOn), "DependsOn must not be null; use an empty list.");
        }

        var id = request.Id ?? Version7Guid.Create(now);
        var dependsOn = request.DependsOn.Distinct().ToArray();
        if (dependsOn.Contains(id))
        {
            throw Reject(nameof(OperationRequest.DependsOn), "An operation cannot depend on itself.");
        }

        return new OfflineOperation
        {
            Id = id,
            Type = request.Type,
            ResourceType = request.ResourceType,
            ResourceId = resourceId,
            Data = request.Data?.DeepClone(),
            Priority = request.Priority,
            MaxRetries = request.MaxRetries ?? configuration.MaxRetries,
            CreatedAt = now,
            ScheduledAt = now,
            ClientTimestamp = now,
            ConflictResolution = request.ConflictResolution,
            BaseVersion = request.BaseVersion,
            BaseData = request.BaseData?.DeepClone(),
            DependsOn = dependsOn,
            State = OperationState.Pending,
        };
    }

    /// <summary>Checks a payload given when a conflict is resolved and the operation re-queued.</summary>
    public static void ValidateRequeue(OperationType type, JsonNode? data, long? baseVersion, SyncConfiguration configuration)
    {
        if (!Enum.IsDefined(type))
        {
            throw new ArgumentException($"Operation type {(int)type} is not defined.", nameof(type));
        }

        if (type is OperationType.Create or OperationType.Update && data is null)
        {
            throw new ArgumentException($"Data is required for {type}.", nameof(data));
        }

        if (baseVersion is < 0)
        {
            throw new ArgumentException($"The base version must not be negative; got {baseVersion}.", nameof(baseVersion));
        }

        if (data is not null && Encoding.UTF8.GetByteCount(data.ToJsonString()) > configuration.MaxOperationDataBytes)
        {
            throw new ArgumentException($"Data exceeds {configuration.MaxOperationDataBytes} bytes of UTF-8 JSON.", nameof(data));
        }
    }

    public static ArgumentException Reject(string field, string message) => new(message, field);

    /// <summary>
    /// The index of the first character that cannot survive the trip (NUL: SQLite text and C strings end there; an
    /// unpaired surrogate: UTF-8, hence SQLite and JSON, replace it with U+FFFD), or null.
    /// </summary>
    private static int? UntransportableCharacter(string value)
    {
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '\0')
            {
                return i;
            }

            if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
            {
                i++;
                continue;
            }

            if (char.IsSurrogate(c))
            {
                return i;
            }
        }

        return null;
    }
}
