namespace ReactiveSync.Transport;

/// <summary>A bearer token and, where the provider knows it, when it expires.</summary>
/// <param name="Value">The token, never logged.</param>
/// <param name="ExpiresAt">When it expires; null when unknown.</param>
public sealed record AccessToken(string Value, DateTimeOffset? ExpiresAt = null)
{
    /// <inheritdoc/>
    public override string ToString() => $"AccessToken(expires {ExpiresAt?.ToString("O") ?? "unknown"})";
}
