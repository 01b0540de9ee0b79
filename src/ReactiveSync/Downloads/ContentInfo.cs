namespace ReactiveSync.Downloads;

/// <summary>What the server says about a resource's content before it is transferred.</summary>
/// <param name="Length">The size in bytes, when the server said.</param>
/// <param name="ETag">The entity tag as the server sent it, quotes included (e.g. <c>"abc"</c> or <c>W/"abc"</c>); null when none.</param>
/// <param name="IsStrongETag">Whether <paramref name="ETag"/> is a strong validator, the only kind a resumed download may rely on.</param>
public sealed record ContentInfo(long? Length, string? ETag, bool IsStrongETag);
