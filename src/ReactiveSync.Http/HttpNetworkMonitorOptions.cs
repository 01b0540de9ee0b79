namespace ReactiveSync.Http;

/// <summary>Settings of <see cref="HttpNetworkMonitor"/>'s reachability probe; all times are on the injected scheduler.</summary>
public sealed record HttpNetworkMonitorOptions
{
    /// <summary>The default options.</summary>
    public static HttpNetworkMonitorOptions Default { get; } = new();

    /// <summary>How long after a successful probe the next one runs. Default 30 s.</summary>
    public TimeSpan ProbeInterval { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How long after a failed probe the next one runs, so a return online is noticed sooner. Default 5 s.</summary>
    public TimeSpan OfflineProbeInterval { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a probe may take before the server counts as unreachable. Default 5 s.</summary>
    public TimeSpan ProbeTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The health route, relative to the server's base address. Default <c>health</c>.</summary>
    public string HealthPath { get; init; } = "health";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    internal HttpNetworkMonitorOptions Validate()
    {
        static void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                throw new ArgumentException($"{name} must be positive, was {value}.", name);
            }
        }

        Positive(ProbeInterval, nameof(ProbeInterval));
        Positive(OfflineProbeInterval, nameof(OfflineProbeInterval));
        Positive(ProbeTimeout, nameof(ProbeTimeout));
        if (string.IsNullOrWhiteSpace(HealthPath) || Uri.TryCreate(HealthPath, UriKind.Absolute, out _))
        {
            throw new ArgumentException($"{nameof(HealthPath)} must be a relative path, was '{HealthPath}'.", nameof(HealthPath));
        }

        return this;
    }
}
