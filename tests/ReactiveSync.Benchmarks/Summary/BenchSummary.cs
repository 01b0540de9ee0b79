using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ReactiveSync.Benchmarks.Summary;

/// <summary>
/// Writes artifacts/bench/summary.md from every artifacts/bench/*.json: the machine, each goal of the issues and whether
/// it is met, each scenario's figures, the micro benchmarks' ratios. With <c>--update-docs</c>, also replaces the "last
/// measured" block of docs/benchmarks.md (between its <c>bench-summary</c> markers) with the same tables.
/// </summary>
internal static class BenchSummary
{
    public const string StartMarker = "<!-- bench-summary:start -->";
    public const string EndMarker = "<!-- bench-summary:end -->";

    private static readonly string[] Scenarios = ["queue", "push", "pull", "download"];

    /// <summary>Writes the summary, prints it, and answers 0 when every goal is measured and met, else 1.</summary>
    public static int Write(bool updateDocs)
    {
        var documents = Scenarios.Append("micro").ToDictionary(s => s, Load);
        var runs = RunLog.Read();
        var goals = GoalSpec.All.Select(g => Evaluate(g, documents[g.Scenario])).ToList();
        var block = LastMeasuredBlock(documents, runs, goals);

        var text = new StringBuilder();
        text.AppendLine("# ReactiveSync benchmark summary").AppendLine();
        text.AppendLine(Invariant($"Written {DateTimeOffset.UtcNow:yyyy-MM-dd HH:mm} UTC by `dotnet run -c Release --project tests/ReactiveSync.Benchmarks -- summary` (also at the end of every run), from artifacts/bench/*.json."));
        text.AppendLine();
        text.Append(block);
        text.AppendLine();
        text.AppendLine("## Scenarios").AppendLine();
        foreach (var scenario in Scenarios)
        {
            AppendScenario(text, scenario, documents[scenario], runs);
        }

        var summary = text.ToString();
        Directory.CreateDirectory(BenchArtifacts.Directory);
        var path = Path.Combine(BenchArtifacts.Directory, "summary.md");
        File.WriteAllText(path, summary);
        Console.WriteLine(summary);
        Console.WriteLine($"wrote {path}");
        if (updateDocs)
        {
            Console.WriteLine(UpdateDocs(block));
        }

        return goals.All(g => g.Met == true) ? 0 : 1;
    }

    /// <summary>The block docs/benchmarks.md quotes: machine, goals, micro ratios.</summary>
    private static string LastMeasuredBlock(Dictionary<string, JsonObject?> documents, Dictionary<string, RunLog.Entry> runs, List<GoalResult> goals)
    {
        var text = new StringBuilder();
        var any = documents.Values.FirstOrDefault(d => d is not null);
        var processors = any?["processors"]?.GetValue<int>() ?? Environment.ProcessorCount;
        var os = any?["os"]?.GetValue<string>() ?? System.Runtime.InteropServices.RuntimeInformation.OSDescription;
        var measured = runs.Values.Select(r => r.StartedUtc).DefaultIfEmpty(DateTimeOffset.UtcNow).Max();
        var loads = string.Join(", ", Scenarios.Append("micro").Where(runs.ContainsKey).Select(s => Invariant($"{s} {runs[s].LoadAverage:0.0}")));
        text.AppendLine(Invariant($"Machine: {processors} cores, {os}, .NET {Environment.Version}; measured {measured:yyyy-MM-dd} (UTC)")
            + (loads.Length > 0 ? $"; load average (1 min) when each scenario started: {loads}." : "."));
        var busiest = runs.Values.Select(r => r.LoadAverage).DefaultIfEmpty(0).Max();
        if (busiest > processors)
        {
            text.AppendLine();
            text.AppendLine(Invariant(
                $"The machine was shared and busy (load average up to {busiest:0.0} on {processors} cores): figures and the micro ratios move by a factor of two or more from run to run under such load; rerun on a quiet machine before trusting a close call."));
        }

        text.AppendLine();
        text.AppendLine("| issue | goal | measured | target | met |");
        text.AppendLine("|---|---|---:|---:|---|");
        foreach (var goal in goals)
        {
            var spec = goal.Spec;
            text.AppendLine(Invariant(
                $"| {spec.Issue} {spec.Scenario} | {spec.Description} | {(goal.Value is { } v ? Format(v, spec.Unit) : "-")} | {spec.Comparison} {Format(spec.Target, spec.Unit)} | {goal.Status} |"));
        }

        // Reference lines, no goal: what the baselines themselves allow, to read a missed goal against.
        (string Scenario, string Path, string Description)[] references =
        [
            ("queue", "ratios.a16_over_a", "(a16) raw SQLite, 16 rows per transaction (a group commit of 16 by hand), vs (a)"),
            ("queue", "ratios.c_over_a16", "(c) QueueOperationAsync, 16 producers, vs (a16)"),
            ("push", "ratios.plain_batch100_vs_naive", "plain client, bodies of 100, one request at a time, no local queue, vs naive"),
            ("push", "ratios.batch100_vs_plain_batch100", "engine, batch size 100, vs that plain batched client"),
            ("download", "ratios.managerVsDurablePlain", "ContentDownloadManager vs a plain copy with a final fsync (the manager's own durability)"),
            ("pull", "ratios.replicaVsRaw", "replica (ReplicaSynchronizer + SqliteReplicaStore) vs raw batched SQLite inserts"),
        ];
        foreach (var (scenario, path, description) in references)
        {
            if (Number(documents[scenario], path) is { } value)
            {
                text.AppendLine(Invariant($"| - {scenario} | {description} | {Format(value, "x")} | reference | - |"));
            }
        }

        text.AppendLine();
        var micro = documents["micro"]?["results"]?.AsArray();
        if (micro is null)
        {
            text.AppendLine("Micro benchmarks: not measured (no artifacts/bench/micro.json; run `-- micro`).");
            return text.ToString();
        }

        text.AppendLine("Micro benchmarks (BenchmarkDotNet; median time per value or item; ratio to the median of the plain baseline of the same group, below 1 is faster):");
        text.AppendLine();
        text.AppendLine("| group | benchmark | ns/op | ratio | allocated B/op |");
        text.AppendLine("|---|---|---:|---:|---:|");
        foreach (var result in micro.OfType<JsonObject>())
        {
            var baseline = result["baseline"]?.GetValue<bool>() == true;
            var ratio = result["ratio"]?.GetValue<double>();
            text.AppendLine(Invariant(
                $"| {result["category"]} | {result["method"]}{(baseline ? " (baseline)" : string.Empty)} | {(result["medianNs"] ?? result["meanNs"])!.GetValue<double>():N1} | {(ratio is { } r ? r.ToString("0.00", CultureInfo.InvariantCulture) : "-")} | {result["allocatedBytesPerOperation"]!.GetValue<long>():N0} |"));
        }

        return text.ToString();
    }

    private static void AppendScenario(StringBuilder text, string scenario, JsonObject? document, Dictionary<string, RunLog.Entry> runs)
    {
        text.AppendLine($"### {scenario}").AppendLine();
        if (document is null)
        {
            text.AppendLine($"Not measured: no artifacts/bench/{scenario}.json (run `-- {scenario}`).").AppendLine();
            return;
        }

        var file = Path.Combine(BenchArtifacts.Directory, scenario + ".json");
        var settings = document.Where(p => p.Value is JsonValue && p.Key is not ("scenario" or "os"))
            .Select(p => $"{p.Key} {p.Value}").ToList();
        text.Append(Invariant($"From artifacts/bench/{scenario}.json, written {File.GetLastWriteTimeUtc(file):yyyy-MM-dd HH:mm} UTC"));
        if (runs.TryGetValue(scenario, out var run))
        {
            text.Append(Invariant($" (run took {run.Seconds:0} s, exit code {run.ExitCode}, load average {run.LoadAverage:0.0} at its start)"));
        }

        text.AppendLine(settings.Count > 0 ? $"; settings: {string.Join(", ", settings)}." : ".").AppendLine();
        text.AppendLine("| figure | value |");
        text.AppendLine("|---|---:|");
        foreach (var section in new[] { "figures", "ratios" })
        {
            if (document[section] is JsonObject values)
            {
                foreach (var (name, value) in Flatten(values, section))
                {
                    text.AppendLine(Invariant($"| {name} | {value:#,0.###} |"));
                }
            }
        }

        text.AppendLine();
    }

    private static GoalResult Evaluate(GoalSpec spec, JsonObject? document)
    {
        if (document is null)
        {
            return new GoalResult(spec, null, null, $"not measured (no artifacts/bench/{spec.Scenario}.json)");
        }

        if (Number(document, spec.Field) is not { } value)
        {
            return new GoalResult(spec, null, null, $"unknown: artifacts/bench/{spec.Scenario}.json has no {spec.Field}");
        }

        var met = spec.IsMet(value);
        return new GoalResult(spec, value, met, met ? "yes" : "**NO**");
    }

    private static double? Number(JsonObject? document, string field)
    {
        JsonNode? node = document;
        foreach (var part in field.Split('.'))
        {
            node = node is JsonObject o ? o[part] : null;
        }

        return node is JsonValue v && v.TryGetValue<double>(out var d) ? d : null;
    }

    private static IEnumerable<(string Name, double Value)> Flatten(JsonObject values, string prefix)
    {
        foreach (var (name, node) in values)
        {
            switch (node)
            {
                case JsonObject inner:
                    foreach (var item in Flatten(inner, $"{prefix}.{name}"))
                    {
                        yield return item;
                    }

                    break;
                case JsonValue value when value.TryGetValue<double>(out var number):
                    yield return ($"{prefix}.{name}", number);
                    break;
            }
        }
    }

    private static JsonObject? Load(string scenario)
    {
        var path = Path.Combine(BenchArtifacts.Directory, scenario + ".json");
        try
        {
            return File.Exists(path) ? JsonNode.Parse(File.ReadAllText(path)) as JsonObject : null;
        }
        catch (JsonException ex)
        {
            Console.Error.WriteLine($"summary: {path} is not valid JSON ({ex.Message}); treated as not measured");
            return null;
        }
    }

    private static string UpdateDocs(string block)
    {
        var path = Path.Combine(BenchArtifacts.Root, "docs", "benchmarks.md");
        if (!File.Exists(path))
        {
            return $"docs not updated: {path} does not exist";
        }

        var page = File.ReadAllText(path);
        var start = page.IndexOf(StartMarker, StringComparison.Ordinal);
        var end = page.IndexOf(EndMarker, StringComparison.Ordinal);
        if (start < 0 || end < start)
        {
            return $"docs not updated: {path} has no {StartMarker} ... {EndMarker} block";
        }

        var updated = page[..(start + StartMarker.Length)] + "\n" + block + page[end..];
        File.WriteAllText(path, updated);
        return $"updated the last measured block of {path}";
    }

    private static string Format(double value, string unit) =>
        unit == "x" ? value.ToString("0.00", CultureInfo.InvariantCulture) + "x" : value.ToString("#,0.##", CultureInfo.InvariantCulture) + unit;

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private sealed record GoalResult(GoalSpec Spec, double? Value, bool? Met, string Status);
}
