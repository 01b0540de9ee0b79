using System.Text.Json.Serialization;
using ReactiveSync.Model;

namespace ReactiveSync.Conflicts;

/// <summary>Source-generated JSON for parked conflicts in the key-value store; enums as names so stored values stay readable.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(SyncConflict))]
internal sealed partial class ConflictJsonContext : JsonSerializerContext;
