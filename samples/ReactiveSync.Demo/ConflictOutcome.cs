using ReactiveSync.Model;

namespace ReactiveSync.Demo;

/// <summary>How a conflict was settled, in the words the demo shows.</summary>
internal enum ConflictOutcome
{
    /// <summary>The client's change was sent again against the server's version.</summary>
    ClientKept,

    /// <summary>The client's change was dropped: the server's copy stands.</summary>
    ServerKept,

    /// <summary>A three-way merge kept both sides' fields.</summary>
    Merged,

    /// <summary>Parked for the user.</summary>
    Parked,
}

/// <summary>Reads a settled conflict's outcome from its strategy and the engine's note.</summary>
internal static class ConflictOutcomes
{
    public static ConflictOutcome Of(SyncConflict conflict)
    {
        var note = conflict.Note ?? string.Empty;
        if (note.Contains("parked", StringComparison.OrdinalIgnoreCase))
        {
            return ConflictOutcome.Parked;
        }

        if (note.Contains("dropped", StringComparison.OrdinalIgnoreCase))
        {
            return ConflictOutcome.ServerKept;
        }

        return conflict.Strategy == ConflictResolutionStrategy.Merge && note.StartsWith("Merge:", StringComparison.Ordinal)
            ? ConflictOutcome.Merged
            : ConflictOutcome.ClientKept;
    }

    public static string Describe(ConflictOutcome outcome) => outcome switch
    {
        ConflictOutcome.ClientKept => "client's change sent again",
        ConflictOutcome.ServerKept => "server's copy kept",
        ConflictOutcome.Merged => "merged three-way",
        _ => "parked for the user",
    };
}
