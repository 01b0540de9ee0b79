using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>
/// The fold table of guarantee 4, pure and shared by every store: Create+Update = Create (patch applied),
/// Update+Update = Update (patches composed), Create+Delete = nothing, Update+Delete = Delete (the update's base version kept).
/// </summary>
internal static class CoalescingRules
{
    /// <summary>
    /// Folds <paramref name="incoming"/> into <paramref name="last"/>, the latest stored operation on the same resource.
    /// Answers false when they must stay apart; otherwise <paramref name="survivor"/> is the updated operation,
    /// or null when both cancel out.
    /// </summary>
    public static bool TryFold(
        OfflineOperation last,
        OfflineOperation incoming,
        bool lastHasDependents,
        SyncConfiguration configuration,
        out OfflineOperation? survivor)
    {
        survivor = null;
        // A sent operation may already be applied by the server under its id; a change folded into it would be lost.
        if (last.State != OperationState.Pending || last.EverSent
            || configuration.CoalescingDisabledFor.Contains(incoming.ResourceType)
            || last.ResourceType != incoming.ResourceType || last.ResourceId != incoming.ResourceId
            // New dependencies would make the earlier operation wait for later ones (and could form a cycle).
            || !incoming.DependsOn.All(last.DependsOn.Contains))
        {
            return false;
        }

        switch (last.Type, incoming.Type)
        {
            case (OperationType.Create, OperationType.Update):
                survivor = Merge(last, incoming) with { Data = JsonMergePatch.Apply(last.Data, incoming.Data) };
                return true;
            case (OperationType.Update, OperationType.Update):
                survivor = Merge(last, incoming) with { Data = JsonMergePatch.Compose(last.Data, incoming.Data) };
                return true;
            case (OperationType.Create, OperationType.Delete):
                // Operations waiting for the Create would lose what they wait for; keep both and let the server decide.
                return !lastHasDependents;
            case (OperationType.Update, OperationType.Delete):
                survivor = Merge(last, incoming) with
                {
                    Type = OperationType.Delete,
                    Data = incoming.Data?.DeepClone(),
                    BaseVersion = last.BaseVersion ?? incoming.BaseVersion,
                };
                return true;
            default:
                return false;
        }
    }

    private static OfflineOperation Merge(OfflineOperation last, OfflineOperation incoming) => last with
    {
        Priority = (SyncPriority)Math.Max((int)last.Priority, (int)incoming.Priority),
        ClientTimestamp = incoming.ClientTimestamp,
        ConflictResolution = incoming.ConflictResolution ?? last.ConflictResolution,
    };
}
