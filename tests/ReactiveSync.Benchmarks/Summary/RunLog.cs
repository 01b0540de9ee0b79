using System.Globalization;
using System.Text.Json;

namespace ReactiveSync.Benchmarks.Summary;

/// <summary>
/// artifacts/bench/runs.json: when each scenario last ran, for how long, its exit code, and the machine's load average
/// (1 min) when it started, because on a shared machine a figure means little without the load it was measured under.
/// </summary>
internal static class RunLog
{
    private static string PathName => Path.Combine(BenchArtifacts.Directory, "runs.json");

    public static Dictionary<string, Entry> Read()
    {
        try
        {
            return File.Exists(PathName)
                ? JsonSerializer.Deserialize<Dictionary<string, Entry>>(File.ReadAllText(PathName), BenchArtifacts.JsonOptions) ?? []
                : [];
        }
        catch (JsonException)
        {
            return [];
        }
    }

    public static void Record(string scenario, Entry entry)
    {
        var entries = Read();
        entries[scenario] = entry;
        Directory.CreateDirectory(BenchArtifacts.Directory);
        File.WriteAllText(PathName, JsonSerializer.Serialize(entries, BenchArtifacts.JsonOptions));
    }

    /// <summary>The 1-minute load average (Linux /proc/loadavg), or -1 where there is none.</summary>
    public static double LoadAverage()
    {
        try
        {
            var text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], CultureInfo.InvariantCulture);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }

    public sealed record Entry(DateTimeOffset StartedUtc, double Seconds, int ExitCode, double LoadAverage);
}
