using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Conflicts;

/// <summary>
/// An app's own conflict resolution for one resource type (the seed's custom resolver), registered with
/// <see cref="ConflictResolutionManager.RegisterResolver"/>. It takes precedence over every strategy.
/// </summary>
/// <param name="clientData">
/// A copy of the operation's own data: the merge patch for an Update, the document for a Create, null for a Delete.
/// <paramref name="conflict"/> also carries the base copy, when known.
/// </param>
/// <param name="serverData">A copy of the server's current document; null when the server deleted it.</param>
/// <param name="conflict">The conflict being resolved.</param>
/// <returns>
/// The whole document that should be on the server: it replaces the server copy (sent as a merge patch from the server
/// copy, or recreated with a Create when the server deleted it; a document equal to the server copy drops the operation).
/// Null asks the user: the conflict is parked. A resolver that throws also parks the conflict, with the error on its note;
/// the operation is never dropped because of a resolver failure.
/// </returns>
public delegate ValueTask<JsonNode?> ConflictResolver(JsonNode? clientData, JsonNode? serverData, SyncConflict conflict);
