using System.Text;
using System.Text.RegularExpressions;

namespace ReactiveSync.DocSamples;

/// <summary>
/// Keeps docs/*.md and the sample files in step: every code block marked
/// <c>&lt;!-- sample: docs/samples/ReactiveSync.DocSamples/File.cs#name --&gt;</c> must equal, line for line, the lines
/// between <c>// #region name</c> and <c>// #endregion</c> in that file (with their common indentation removed).
/// Run with <c>DOCSAMPLES_UPDATE=1</c> to rewrite the marked blocks from the sample files instead of checking them.
/// </summary>
public partial class DocSampleSyncTests
{
    private const string UpdateVariable = "DOCSAMPLES_UPDATE";

    [GeneratedRegex(@"^<!--\s*sample:\s*(?<path>[^#\s]+)#(?<region>[\w-]+)\s*-->$")]
    private static partial Regex MarkerPattern();

    [GeneratedRegex(@"^\s*//\s*#region\s+(?<name>[\w-]+)\s*$")]
    private static partial Regex RegionStartPattern();

    [GeneratedRegex(@"^\s*//\s*#endregion\s*$")]
    private static partial Regex RegionEndPattern();

    private static readonly string RepositoryRoot = FindRepositoryRoot();

    private static IEnumerable<string> Pages() =>
        Directory.GetFiles(Path.Combine(RepositoryRoot, "docs"), "*.md").Order(StringComparer.Ordinal);

    [Test]
    public void MarkedBlocks_EveryPage_EqualTheirSampleRegions()
    {
        var update = Environment.GetEnvironmentVariable(UpdateVariable) == "1";
        var problems = new List<string>();
        var markers = 0;
        foreach (var page in Pages())
        {
            var lines = File.ReadAllLines(page).ToList();
            var changed = false;
            var inFence = false;
            for (var i = 0; i < lines.Count; i++)
            {
                // A marker shown inside a code block (as in docs/README.md) is an example, not a marker.
                if (lines[i].TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                    continue;
                }

                var marker = MarkerPattern().Match(lines[i].Trim());
                if (inFence || !marker.Success)
                {
                    continue;
                }

                markers++;
                var where = $"{Path.GetRelativePath(RepositoryRoot, page)}:{i + 1}";
                var (region, regionProblem) = ReadRegion(marker.Groups["path"].Value, marker.Groups["region"].Value);
                if (region is null)
                {
                    problems.Add($"{where}: {regionProblem}");
                    continue;
                }

                if (i + 1 >= lines.Count || lines[i + 1].Trim() != "```csharp")
                {
                    problems.Add($"{where}: the marker must be followed at once by a ```csharp block.");
                    continue;
                }

                var end = lines.FindIndex(i + 2, l => l.Trim() == "```");
                if (end < 0)
                {
                    problems.Add($"{where}: the code block is not closed.");
                    continue;
                }

                var block = lines.GetRange(i + 2, end - i - 2);
                if (block.SequenceEqual(region))
                {
                    continue;
                }

                if (update)
                {
                    lines.RemoveRange(i + 2, end - i - 2);
                    lines.InsertRange(i + 2, region);
                    changed = true;
                }
                else
                {
                    problems.Add($"{where}: the block differs from {marker.Groups["path"].Value}#{marker.Groups["region"].Value}; "
                        + $"run the doc samples' tests with {UpdateVariable}=1 to copy the region in. Expected:\n{string.Join('\n', region)}");
                }
            }

            if (changed)
            {
                File.WriteAllText(page, string.Join('\n', lines) + "\n", new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(markers, Is.GreaterThan(0), "no sample markers found in docs/*.md");
            Assert.That(problems, Is.Empty, string.Join("\n\n", problems));
        });
    }

    [Test]
    public void Regions_EverySampleFile_AreQuotedByAPageAndNamedOnce()
    {
        var quoted = new HashSet<string>(StringComparer.Ordinal);
        foreach (var page in Pages())
        {
            var inFence = false;
            foreach (var line in File.ReadAllLines(page))
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    inFence = !inFence;
                }
                else if (!inFence && MarkerPattern().Match(line.Trim()) is { Success: true } m)
                {
                    quoted.Add($"{m.Groups["path"].Value}#{m.Groups["region"].Value}");
                }
            }
        }

        var problems = new List<string>();
        var samples = Path.Combine(RepositoryRoot, "docs", "samples", "ReactiveSync.DocSamples");
        foreach (var file in Directory.GetFiles(samples, "*.cs"))
        {
            var relative = Path.GetRelativePath(RepositoryRoot, file).Replace('\\', '/');
            var names = File.ReadAllLines(file)
                .Select(line => RegionStartPattern().Match(line))
                .Where(m => m.Success)
                .Select(m => m.Groups["name"].Value)
                .ToList();
            problems.AddRange(names.GroupBy(n => n).Where(g => g.Count() > 1).Select(g => $"{relative}: region '{g.Key}' is defined {g.Count()} times."));
            problems.AddRange(names.Distinct().Where(n => !quoted.Contains($"{relative}#{n}")).Select(n => $"{relative}: region '{n}' is quoted by no page."));
        }

        Assert.That(problems, Is.Empty, string.Join("\n", problems));
    }

    /// <summary>The lines of a region without their common indentation, or null and why.</summary>
    private static (List<string>? Lines, string Problem) ReadRegion(string relativePath, string name)
    {
        var path = Path.Combine(RepositoryRoot, relativePath);
        if (!File.Exists(path))
        {
            return (null, $"{relativePath} does not exist.");
        }

        var lines = File.ReadAllLines(path);
        var start = Array.FindIndex(lines, l => RegionStartPattern().Match(l) is { Success: true } m && m.Groups["name"].Value == name);
        if (start < 0)
        {
            return (null, $"{relativePath} has no region '{name}'.");
        }

        var end = Array.FindIndex(lines, start + 1, l => RegionEndPattern().IsMatch(l) || RegionStartPattern().IsMatch(l));
        if (end < 0 || !RegionEndPattern().IsMatch(lines[end]))
        {
            return (null, $"{relativePath}: region '{name}' has no '// #endregion' (regions do not nest).");
        }

        var body = lines[(start + 1)..end].Select(l => l.TrimEnd()).ToList();
        var indent = body.Where(l => l.Length > 0).Select(l => l.Length - l.TrimStart().Length).DefaultIfEmpty(0).Min();
        return (body.Select(l => l.Length >= indent ? l[indent..] : l).ToList(), string.Empty);
    }

    private static string FindRepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "ReactiveSync.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("ReactiveSync.sln not found above " + AppContext.BaseDirectory);
    }
}
