using System.Text.Json.Nodes;

namespace ReactiveSync.Pull;

/// <summary>What a new Update or Delete is made against: the replica's version and copy of the resource.</summary>
/// <param name="Version">The server version the replica holds; send it as the operation's base version.</param>
/// <param name="Data">The replica's copy (the base copy for a three-way merge); null when deleted.</param>
/// <param name="Deleted">Whether the server deleted the resource.</param>
public sealed record ResourceBase(long Version, JsonNode? Data, bool Deleted);
