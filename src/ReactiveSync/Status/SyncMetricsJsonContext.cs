using System.Text.Json.Serialization;

namespace ReactiveSync.Status;

/// <summary>Source-generated JSON for persisted metrics, so persistence needs no reflection.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, UseStringEnumConverter = true)]
[JsonSerializable(typeof(SyncMetrics))]
internal sealed partial class SyncMetricsJsonContext : JsonSerializerContext;
