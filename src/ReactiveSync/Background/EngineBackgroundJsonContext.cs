using System.Text.Json.Serialization;

namespace ReactiveSync.Background;

/// <summary>Source-generated JSON for the data of the engine's background tasks (resource ids of a download).</summary>
[JsonSerializable(typeof(string[]))]
internal sealed partial class EngineBackgroundJsonContext : JsonSerializerContext;
