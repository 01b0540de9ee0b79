using System.Text.Json.Nodes;

namespace ReactiveSync.Conflicts;

/// <summary>
/// The app's (or user's) answer to a parked conflict, for <see cref="ConflictResolutionManager.ResolveConflictAsync"/>:
/// a closed set of <see cref="UseClient"/>, <see cref="UseServer"/> and <see cref="UseData"/>.
/// </summary>
public abstract record ConflictResolution
{
    private ConflictResolution()
    {
    }

    /// <summary>The client's change wins, exactly as the ClientWins strategy applies it.</summary>
    public sealed record UseClient : ConflictResolution;

    /// <summary>The server's copy wins: the operation is dropped.</summary>
    public sealed record UseServer : ConflictResolution;

    /// <summary>
    /// <paramref name="Data"/> is the whole document that should be on the server, e.g. one the user merged by hand.
    /// It replaces the server's copy; it recreates the resource when the server deleted it.
    /// </summary>
    /// <param name="Data">The document to keep; must not be null.</param>
    public sealed record UseData(JsonNode Data) : ConflictResolution
    {
        /// <summary>The document to keep.</summary>
        public JsonNode Data { get; init; } = Data ?? throw new ArgumentNullException(nameof(Data));
    }
}
