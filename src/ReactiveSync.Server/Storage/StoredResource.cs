using System.Text.Json.Nodes;

namespace ReactiveSync.Server.Storage;

/// <summary>A resource as the server store holds it.</summary>
/// <param name="ResourceType">The kind of resource.</param>
/// <param name="ResourceId">The resource's id.</param>
/// <param name="Version">The version; increases by one on every change.</param>
/// <param name="Data">The data; null when deleted.</param>
/// <param name="Deleted">Whether it is soft-deleted.</param>
/// <param name="UpdatedAt">When the server last changed its data (server clock).</param>
/// <param name="Sequence">The global change sequence of its latest change (including content changes).</param>
public sealed record StoredResource(
    string ResourceType,
    string ResourceId,
    long Version,
    JsonNode? Data,
    bool Deleted,
    DateTimeOffset UpdatedAt,
    long Sequence);
