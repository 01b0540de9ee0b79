using System.Globalization;
using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Conflicts;

/// <summary>
/// The strategies as pure functions of a conflict (which carries the client's data, the base copy and the server's copy):
/// no I/O, no clock, no user code. <see cref="ConflictResolutionManager"/> documents the table they implement.
/// </summary>
internal static class ConflictStrategies
{
    /// <summary>Applies a built-in strategy; PromptUser parks.</summary>
    public static ConflictDecision Apply(ConflictResolutionStrategy strategy, SyncConflict conflict, TimeSpan serverClockOffset) =>
        strategy switch
        {
            ConflictResolutionStrategy.ClientWins => ClientWins(conflict with { Strategy = strategy }, "ClientWins"),
            ConflictResolutionStrategy.ServerWins => ServerWins(conflict with { Strategy = strategy }, "ServerWins"),
            ConflictResolutionStrategy.LastModifiedWins => LastModifiedWins(conflict with { Strategy = strategy }, serverClockOffset),
            ConflictResolutionStrategy.Merge => Merge(conflict with { Strategy = strategy }),
            ConflictResolutionStrategy.PromptUser => new ConflictDecision.Park(conflict with
            {
                Strategy = strategy,
                Note = "PromptUser: parked until the app resolves it.",
            }),
            _ => throw new ArgumentOutOfRangeException(nameof(strategy), strategy, "Unknown conflict resolution strategy."),
        };

    /// <summary>
    /// Every field the client set wins. Update: the client's patch again, against the server's version; against a server
    /// delete, the resource is recreated from base + patch. Delete: sent again. Create: the client's fields over the server copy.
    /// </summary>
    public static ConflictDecision ClientWins(SyncConflict conflict, string reason)
    {
        var version = conflict.ServerVersion;
        switch (conflict.OperationType)
        {
            case OperationType.Delete when conflict.ServerDeleted:
                return BothDeleted(conflict);

            case OperationType.Delete:
                return new ConflictDecision.Resend(OperationType.Delete, null, version, Noted(
                    conflict, $"{reason}: the client's delete is sent again against server version {Show(version)}."));

            case OperationType.Update when conflict.ServerDeleted:
                {
                    var document = JsonMergePatch.Apply(conflict.BaseData ?? new JsonObject(), conflict.ClientData);
                    var source = conflict.BaseData is null
                        ? "from the client's patch alone (no base copy: fields the client did not set are missing)"
                        : "from the base copy with the client's patch applied";
                    return new ConflictDecision.Resend(OperationType.Create, document, version, Noted(
                        conflict, $"{reason}: the server deleted the resource; it is recreated {source}."));
                }

            case OperationType.Update:
                return ResendPatchOrDrop(conflict, conflict.ClientData?.DeepClone(), $"{reason}: the client's patch is sent again against server version {Show(version)}.");

            case OperationType.Create when conflict.ServerDeleted:
                return new ConflictDecision.Resend(OperationType.Create, conflict.ClientData?.DeepClone(), version, Noted(
                    conflict, $"{reason}: the server deleted the resource; the client's document creates it again."));

            case OperationType.Create:
                {
                    var target = Overlay(conflict.ServerData, conflict.ClientData);
                    return ResendPatchOrDrop(conflict, JsonMergePatchDiff.Diff(conflict.ServerData, target),
                        $"{reason}: the resource exists on the server; the fields of the client's document are sent as an update against server version {Show(version)}.");
                }

            default:
                // Upload and Download reach here only by the app's choice: send them again as they were.
                return new ConflictDecision.Resend(conflict.OperationType, conflict.ClientData?.DeepClone(), version, Noted(
                    conflict, $"{reason}: the client's {conflict.OperationType} is sent again against server version {Show(version)}."));
        }
    }

    /// <summary>The operation is dropped; the server's copy (or its delete) stands.</summary>
    public static ConflictDecision ServerWins(SyncConflict conflict, string reason)
    {
        if (conflict.OperationType is OperationType.Delete && conflict.ServerDeleted)
        {
            return BothDeleted(conflict);
        }

        var outcome = conflict.ServerDeleted ? "the server's delete stands" : $"the server's copy at version {Show(conflict.ServerVersion)} stands";
        return DropFor(Noted(conflict, $"{reason}: the client's change is dropped; {outcome}."));
    }

    /// <summary>
    /// The later edit wins: the client's timestamp plus the server clock offset against the server's updatedAt.
    /// Ties, and a server that gave no updatedAt, go to the server.
    /// </summary>
    public static ConflictDecision LastModifiedWins(SyncConflict conflict, TimeSpan serverClockOffset)
    {
        var clientTime = conflict.ClientTimestamp + serverClockOffset;
        if (conflict.ServerUpdatedAt is not { } serverTime)
        {
            return ServerWins(conflict, "LastModifiedWins (the server gave no updatedAt, so the server wins)");
        }

        var comparison = string.Create(
            CultureInfo.InvariantCulture,
            $"client edit at {clientTime:O} (client clock {conflict.ClientTimestamp:O} corrected by {serverClockOffset}) vs server update at {serverTime:O}");
        return clientTime > serverTime
            ? ClientWins(conflict, $"LastModifiedWins (the client is later: {comparison})")
            : ServerWins(conflict, $"LastModifiedWins (the server is later or equal, ties go to the server: {comparison})");
    }

    /// <summary>
    /// Three-way merge against the base copy; without one, ClientWins on the fields the client set. A Delete against a
    /// server update, or any change against a server delete, cannot be merged field by field: the client's change wins,
    /// as fields both sides changed do.
    /// </summary>
    public static ConflictDecision Merge(SyncConflict conflict)
    {
        if (conflict.OperationType is OperationType.Delete && !conflict.ServerDeleted)
        {
            return ClientWins(conflict, "Merge (a delete cannot be merged with the server's update; the client's delete wins as changes both sides made do)");
        }

        if (conflict.ServerDeleted)
        {
            return ClientWins(conflict, "Merge (an edit cannot be merged with the server's delete; the client's change wins as changes both sides made do)");
        }

        if (conflict.OperationType is not (OperationType.Update or OperationType.Create))
        {
            return Unsupported(conflict);
        }

        var clientDocument = conflict.OperationType is OperationType.Update
            ? JsonMergePatch.Apply(conflict.BaseData, conflict.ClientData)
            : conflict.ClientData;
        if (conflict.BaseData is not JsonObject baseObject
            || clientDocument is not JsonObject clientObject
            || conflict.ServerData is not JsonObject serverObject)
        {
            var fields = string.Join(", ", JsonMergePatch.FieldsOf(conflict.ClientData));
            var why = conflict.BaseData is null ? "no base copy" : "the documents are not JSON objects";
            return ClientWins(conflict, $"Merge ({why}: fell back to ClientWins on the fields the client set: {fields})");
        }

        var (merged, conflicting) = ThreeWayJsonMerge.Merge(baseObject, clientObject, serverObject);
        var withFields = conflict with { ConflictingFields = conflicting };
        var both = conflicting.Count == 0
            ? "no field was changed differently by both"
            : $"fields both changed, the client's value kept: {string.Join(", ", conflicting)}";
        return ResendPatchOrDrop(withFields, JsonMergePatchDiff.Diff(serverObject, merged),
            $"Merge: three-way against the base copy; {both}; the merged fields are sent against server version {Show(conflict.ServerVersion)}.");
    }

    /// <summary>
    /// <paramref name="document"/> becomes the server's copy: an Update with the patch from the server copy to it, a Create
    /// when the server deleted the resource, or a drop when it equals the server copy.
    /// </summary>
    public static ConflictDecision UseDocument(SyncConflict conflict, JsonNode document, string reason)
    {
        if (conflict.ServerDeleted)
        {
            return new ConflictDecision.Resend(OperationType.Create, document.DeepClone(), conflict.ServerVersion, Noted(
                conflict, $"{reason}: the server deleted the resource; the chosen document creates it again."));
        }

        return ResendPatchOrDrop(conflict, JsonMergePatchDiff.Diff(conflict.ServerData, document),
            $"{reason}: the chosen document replaces the server's copy, sent as a merge patch against server version {Show(conflict.ServerVersion)}.");
    }

    /// <summary>Both sides deleted the resource: nothing is left to decide, whatever the strategy.</summary>
    public static ConflictDecision BothDeleted(SyncConflict conflict) =>
        DropFor(Noted(conflict, "Both sides deleted the resource: the client's delete is dropped as already done."));

    /// <summary>Only Create, Update and Delete are resolved; other operations wait for the app.</summary>
    public static ConflictDecision Unsupported(SyncConflict conflict) =>
        new ConflictDecision.Park(Noted(
            conflict, $"A conflict on a {conflict.OperationType} operation is not resolved by strategy; parked until the app resolves it."));

    public static ConflictDecision.Drop DropFor(SyncConflict conflict) =>
        new(conflict, conflict.ServerData?.DeepClone(), conflict.ServerVersion, conflict.ServerDeleted);

    private static ConflictDecision ResendPatchOrDrop(SyncConflict conflict, JsonNode? patch, string note)
    {
        if (JsonMergePatchDiff.IsEmpty(patch))
        {
            return DropFor(Noted(conflict, note + " The patch is empty: the server's copy already holds the result, so the operation is dropped."));
        }

        return new ConflictDecision.Resend(OperationType.Update, patch, conflict.ServerVersion, Noted(conflict, note));
    }

    /// <summary>The server's copy with each top-level member of <paramref name="document"/> set over it.</summary>
    private static JsonNode? Overlay(JsonNode? server, JsonNode? document)
    {
        if (document is not JsonObject documentObject)
        {
            return document?.DeepClone();
        }

        var result = server is JsonObject serverObject ? (JsonObject)serverObject.DeepClone() : new JsonObject();
        foreach (var (name, value) in documentObject)
        {
            result[name] = value?.DeepClone();
        }

        return result;
    }

    private static SyncConflict Noted(SyncConflict conflict, string note) =>
        conflict with { Note = conflict.Note is null ? note : conflict.Note + " " + note };

    private static string Show(long? version) => version?.ToString(CultureInfo.InvariantCulture) ?? "(unknown)";
}
