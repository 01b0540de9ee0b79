using ReactiveSync.Conflicts;
using ReactiveSync.Model;

namespace ReactiveSync.Pipeline;

/// <summary>Resolvers the pipeline can use before the conflict resolution manager is wired in.</summary>
internal static class ConflictResolvers
{
    /// <summary>Parks every conflict for the app (what PromptUser does), whatever the configured strategy.</summary>
    public static ResolveConflict ParkAll { get; } = static (_, conflict, _) =>
        ValueTask.FromResult<ConflictDecision>(new ConflictDecision.Park(conflict with
        {
            Note = conflict.Note ?? "Parked for the app: no conflict resolver is configured.",
        }));
}
