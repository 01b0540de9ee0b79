using System.Globalization;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// How long the reliability cases run. CI runs the bounded form; <c>RELIABILITY_LONG=1</c> runs every case longer, and
/// <c>RELIABILITY_SOAK_SECONDS=N</c> sets the fault soak's length alone.
/// </summary>
public static class ReliabilitySettings
{
    /// <summary>Whether the long form was asked for.</summary>
    public static bool Long => Environment.GetEnvironmentVariable("RELIABILITY_LONG") is "1" or "true";

    /// <summary>The fault soak's length: 20 s in CI, 5 minutes when long.</summary>
    public static TimeSpan SoakDuration =>
        int.TryParse(Environment.GetEnvironmentVariable("RELIABILITY_SOAK_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : Long ? TimeSpan.FromMinutes(5) : TimeSpan.FromSeconds(20);

    /// <summary>Picks the CI value or the long one.</summary>
    public static int Scale(int ci, int longRun) => Long ? longRun : ci;
}
