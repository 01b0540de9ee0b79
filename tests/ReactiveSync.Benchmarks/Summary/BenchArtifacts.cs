using System.Text.Json;

namespace ReactiveSync.Benchmarks.Summary;

/// <summary>Where the benchmark artifacts go: artifacts/bench/ under the repository root (the folder holding ReactiveSync.sln).</summary>
internal static class BenchArtifacts
{
    public static string Root { get; } = FindRoot();

    public static string Directory { get; } = Path.Combine(Root, "artifacts", "bench");

    public static JsonSerializerOptions JsonOptions { get; } = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    private static string FindRoot()
    {
        foreach (var start in new[] { System.IO.Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ReactiveSync.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        return System.IO.Directory.GetCurrentDirectory();
    }
}
