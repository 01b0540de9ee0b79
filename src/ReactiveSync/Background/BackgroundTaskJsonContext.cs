using System.Text.Json.Serialization;

namespace ReactiveSync.Background;

/// <summary>Source-generated JSON for persisted tasks, so persistence needs no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(BackgroundTask))]
internal sealed partial class BackgroundTaskJsonContext : JsonSerializerContext;
