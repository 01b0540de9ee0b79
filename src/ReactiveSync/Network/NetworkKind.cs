namespace ReactiveSync.Network;

/// <summary>The kind of network the device is on.</summary>
public enum NetworkKind
{
    /// <summary>Not known.</summary>
    Unknown,

    /// <summary>No network.</summary>
    None,

    /// <summary>Wi-Fi.</summary>
    WiFi,

    /// <summary>Mobile data.</summary>
    Cellular,

    /// <summary>Wired.</summary>
    Ethernet,
}
