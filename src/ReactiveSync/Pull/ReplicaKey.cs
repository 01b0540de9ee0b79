using ReactiveSync.Model;

namespace ReactiveSync.Pull;

/// <summary>Names one resource of the replica: its type and id.</summary>
/// <param name="ResourceType">The kind of resource.</param>
/// <param name="ResourceId">The resource's id.</param>
public readonly record struct ReplicaKey(ResourceType ResourceType, string ResourceId);
