using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Pipeline;

/// <summary>
/// What to do with an operation the server answered with a conflict; made by the conflict resolver (see
/// <see cref="ResolveConflict"/>) and carried out by the drain. <see cref="Conflict"/> is the conflict as emitted, with the
/// strategy and a note filled in by the resolver.
/// </summary>
internal abstract record ConflictDecision(SyncConflict Conflict)
{
    /// <summary>Park the operation in <see cref="OperationState.Conflict"/> until the app or the user settles it.</summary>
    internal sealed record Park(SyncConflict Conflict) : ConflictDecision(Conflict);

    /// <summary>
    /// Send the operation again with new data and base version (and type, e.g. an Update becoming a Create when the server
    /// deleted the resource); it keeps its id and its place before later operations on the resource.
    /// </summary>
    internal sealed record Resend(SyncConflict Conflict, JsonNode? Data, long? BaseVersion, OperationType? Type = null)
        : ConflictDecision(Conflict);

    /// <summary>Drop the operation: the server's copy stands (server wins); the operation leaves the queue.</summary>
    internal sealed record Discard(SyncConflict Conflict) : ConflictDecision(Conflict);
}
