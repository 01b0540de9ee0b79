using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Conflicts;

/// <summary>
/// What the sync pipeline must do with an operation whose push answered <c>conflict</c>: a closed set of
/// <see cref="Resend"/>, <see cref="Drop"/> and <see cref="Park"/>. Every decision carries the
/// <see cref="Conflict"/> with the strategy applied and a note for people saying what was decided and why.
/// </summary>
public abstract record ConflictDecision
{
    private ConflictDecision()
    {
    }

    /// <summary>The conflict, with <see cref="SyncConflict.Strategy"/> and <see cref="SyncConflict.Note"/> saying the outcome.</summary>
    public abstract SyncConflict Conflict { get; init; }

    /// <summary>
    /// Re-queue the operation as <paramref name="Type"/> with <paramref name="Data"/> against <paramref name="BaseVersion"/>
    /// (the server's current version). For an Update, <paramref name="Data"/> is a merge patch against the server's copy;
    /// for a Create, the whole document (a resource the server deleted is recreated); for a Delete, null.
    /// The type may differ from the original operation's: see <see cref="ConflictResolutionManager"/> for the table.
    /// </summary>
    /// <param name="Type">The operation type to send.</param>
    /// <param name="Data">The payload to send.</param>
    /// <param name="BaseVersion">The server version to send against (for a recreate, the version of the server's delete).</param>
    /// <param name="Conflict">The conflict that led here.</param>
    public sealed record Resend(OperationType Type, JsonNode? Data, long? BaseVersion, SyncConflict Conflict) : ConflictDecision;

    /// <summary>
    /// Drop the operation: the server's copy stands and the replica takes it (<paramref name="ServerData"/> at
    /// <paramref name="ServerVersion"/>, or a delete when <paramref name="ServerDeleted"/>).
    /// </summary>
    /// <param name="Conflict">The conflict that led here.</param>
    /// <param name="ServerData">The server's copy; null when deleted.</param>
    /// <param name="ServerVersion">The server's version.</param>
    /// <param name="ServerDeleted">Whether the server deleted the resource.</param>
    public sealed record Drop(SyncConflict Conflict, JsonNode? ServerData, long? ServerVersion, bool ServerDeleted) : ConflictDecision;

    /// <summary>
    /// Park the operation in the <see cref="OperationState.Conflict"/> state until the app calls
    /// <see cref="ConflictResolutionManager.ResolveConflictAsync"/>; the conflict is already persisted as pending.
    /// </summary>
    /// <param name="Conflict">The parked conflict; its id is the one to resolve.</param>
    public sealed record Park(SyncConflict Conflict) : ConflictDecision;
}
