using System.Text.Json.Serialization;

namespace ReactiveSync.Server.Protocol;

/// <summary>The body of a 200 answer to <c>PUT /sync/content/{resourceId}</c>.</summary>
/// <param name="ResourceId">The resource id the content is stored under.</param>
/// <param name="Size">The content's size in bytes.</param>
/// <param name="ETag">The strong ETag, quoted (<c>"\"...\""</c>).</param>
public sealed record ContentPutResponse(string ResourceId, long Size, [property: JsonPropertyName("etag")] string ETag);
