namespace ReactiveSync.Conflicts;

/// <summary>Thrown when a conflict id names no pending conflict (never parked, or already resolved).</summary>
public sealed class ConflictNotFoundException : KeyNotFoundException
{
    /// <summary>Creates the exception for <paramref name="conflictId"/>.</summary>
    public ConflictNotFoundException(Guid conflictId)
        : base($"No pending conflict has id {conflictId}; it was never parked or is already resolved.")
    {
        ConflictId = conflictId;
    }

    /// <summary>The id that was not found.</summary>
    public Guid ConflictId { get; }
}
