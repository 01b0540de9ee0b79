namespace ReactiveSync.Background;

/// <summary>The network background work needs (like WorkManager's <c>NetworkType</c>).</summary>
public enum NetworkRequirement
{
    /// <summary>Any network, or none: whether the server is reachable is the engine's concern, not this constraint's.</summary>
    Any,

    /// <summary>A network that is not metered (Wi-Fi, Ethernet, or an unmetered link of unknown kind).</summary>
    Unmetered,

    /// <summary>Wi-Fi; Ethernet counts too, since the point is to stay off mobile data.</summary>
    WiFi,
}
