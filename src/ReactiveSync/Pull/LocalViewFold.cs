using System.Text.Json.Nodes;
using ReactiveSync.Downloads;
using ReactiveSync.Model;

namespace ReactiveSync.Pull;

/// <summary>The rule of the local view: the replica's copy, then each unacknowledged operation in queue order.</summary>
internal static class LocalViewFold
{
    /// <summary>
    /// Folds <paramref name="operations"/> (all on one resource, in sequence order) onto <paramref name="replica"/>.
    /// Answers null when the resource is absent locally (never seen, deleted on the server, or deleted locally).
    /// </summary>
    public static LocalResource? Fold(ResourceType resourceType, string resourceId, ReplicaResource? replica, IReadOnlyList<OfflineOperation> operations)
    {
        var data = replica is { Deleted: false } ? replica.Data?.DeepClone() ?? new JsonObject() : null;
        foreach (var operation in operations)
        {
            switch (operation.Type)
            {
                case OperationType.Create:
                    data = operation.Data?.DeepClone() ?? new JsonObject();
                    break;
                case OperationType.Update:
                    // An edit of a resource the server has since deleted still shows: the user's change is not lost.
                    data = JsonMergePatch.Apply(data ?? new JsonObject(), operation.Data);
                    break;
                case OperationType.Upload:
                    if (operation.Data is not null)
                    {
                        data = JsonMergePatch.Apply(data ?? new JsonObject(), ContentUploader.MetadataOf(operation.Data));
                    }

                    break;
                case OperationType.Delete:
                    data = null;
                    break;
            }
        }

        if (data is null)
        {
            return null;
        }

        return new LocalResource
        {
            ResourceType = resourceType,
            ResourceId = resourceId,
            Data = data,
            ServerVersion = replica?.Version,
            ServerUpdatedAt = replica?.UpdatedAt,
            PendingOperations = operations.Count,
            ContentUrl = replica?.ContentUrl,
            ContentSize = replica?.ContentSize,
        };
    }

    /// <summary>Whether two local copies would look the same to the app.</summary>
    public static bool SameAs(LocalResource a, LocalResource b) =>
        a.ServerVersion == b.ServerVersion
        && a.ServerUpdatedAt == b.ServerUpdatedAt
        && a.PendingOperations == b.PendingOperations
        && a.ContentUrl == b.ContentUrl
        && a.ContentSize == b.ContentSize
        && JsonNode.DeepEquals(a.Data, b.Data);
}
