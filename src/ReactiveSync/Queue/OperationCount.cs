using ReactiveSync.Model;

namespace ReactiveSync.Queue;

/// <summary>How many stored operations share a state, a priority and a resource type.</summary>
/// <param name="State">The state.</param>
/// <param name="Priority">The priority.</param>
/// <param name="ResourceType">The resource type.</param>
/// <param name="Count">How many.</param>
public readonly record struct OperationCount(OperationState State, SyncPriority Priority, ResourceType ResourceType, int Count);
