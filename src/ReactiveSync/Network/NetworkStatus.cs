namespace ReactiveSync.Network;

/// <summary>Whether the sync server can be reached, and over what kind of network.</summary>
/// <param name="IsOnline">Whether the server is reachable.</param>
/// <param name="Kind">The kind of network, when known.</param>
public sealed record NetworkStatus(bool IsOnline, NetworkKind Kind = NetworkKind.Unknown)
{
    /// <summary>Offline, no network.</summary>
    public static NetworkStatus Offline { get; } = new(false, NetworkKind.None);

    /// <summary>Online over an unknown kind of network.</summary>
    public static NetworkStatus Online { get; } = new(true);
}
