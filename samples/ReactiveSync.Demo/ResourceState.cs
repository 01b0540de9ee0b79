using System.Text.Json.Nodes;

namespace ReactiveSync.Demo;

/// <summary>A live (not deleted) resource as one side sees it: its server version, when known, and its data.</summary>
internal sealed record ResourceState(long? Version, JsonNode Data);
