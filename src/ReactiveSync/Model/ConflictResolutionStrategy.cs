namespace ReactiveSync.Model;

/// <summary>How a conflict between the client's change and the server's copy is settled.</summary>
public enum ConflictResolutionStrategy
{
    /// <summary>Every field the client set wins; the change is sent again against the server's version.</summary>
    ClientWins,

    /// <summary>The client's change is dropped; the server copy is kept.</summary>
    ServerWins,

    /// <summary>The later edit wins, the client's clock corrected by the offset learned from the server.</summary>
    LastModifiedWins,

    /// <summary>A three-way merge against the base copy; fields both sides changed go to the client.</summary>
    Merge,

    /// <summary>The operation is parked until the app resolves the conflict.</summary>
    PromptUser,
}
