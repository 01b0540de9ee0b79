using ReactiveSync.Model;

namespace ReactiveSync.Pipeline;

/// <summary>What one drain did, and what the pipeline must do next.</summary>
/// <param name="Result">The seed's result of the sync.</param>
/// <param name="AuthenticationError">Set when the server refused the credentials: the pipeline pauses for new ones.</param>
/// <param name="RetryAt">
/// The earliest retry the drain scheduled after a transient failure of a whole batch (the drain stops there, so the
/// pipeline must come back by then even for operations that were due already).
/// </param>
/// <param name="LastTakeAt">
/// The scheduler's time just before the drain last asked the queue for a batch, or null when it asked for none:
/// whatever fell due after it has not been looked at, so the pipeline must come back for it.
/// </param>
internal sealed record DrainOutcome(SyncResult Result, SyncError? AuthenticationError, DateTimeOffset? RetryAt, DateTimeOffset? LastTakeAt);
