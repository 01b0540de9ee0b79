using System.Text.Json;
using System.Text.Json.Serialization;

namespace ReactiveSync.Server.Protocol;

/// <summary>Source-generated JSON for the wire types: camelCase, enums as their protocol strings, nulls written.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(PushRequest))]
[JsonSerializable(typeof(PushResponse))]
[JsonSerializable(typeof(PushOperationResult))]
[JsonSerializable(typeof(PullResponse))]
[JsonSerializable(typeof(ErrorResponse))]
[JsonSerializable(typeof(ContentPutResponse))]
[JsonSerializable(typeof(HealthResponse))]
public sealed partial class SyncJsonContext : JsonSerializerContext
{
}
