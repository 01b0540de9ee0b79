namespace ReactiveSync.Server.Storage;

/// <summary>What the store knows about the content stored for a resource id.</summary>
/// <param name="ResourceId">The resource id.</param>
/// <param name="Size">The size in bytes.</param>
/// <param name="ETag">The strong ETag, quoted; it changes exactly when the bytes change.</param>
/// <param name="ContentType">The media type given when it was PUT, or null.</param>
/// <param name="UpdatedAt">When it was last PUT (server clock).</param>
public sealed record StoredContent(string ResourceId, long Size, string ETag, string? ContentType, DateTimeOffset UpdatedAt);
