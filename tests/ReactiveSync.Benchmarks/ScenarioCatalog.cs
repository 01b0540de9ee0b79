using System.Diagnostics;
using System.Reflection;
using ReactiveSync.Benchmarks.Summary;

namespace ReactiveSync.Benchmarks;

/// <summary>
/// Finds every <see cref="IScenario"/> in this assembly and runs the one named, or <c>all</c> (the micro benchmarks last);
/// after any run writes artifacts/bench/summary.md from every artifact there. <c>summary</c> only writes the summary
/// (<c>summary --update-docs</c> also refreshes the last measured block of docs/benchmarks.md).
/// </summary>
internal static class ScenarioCatalog
{
    private const string Micro = "micro";
    private const string Summary = "summary";
    private const string UpdateDocs = "--update-docs";

    public static async Task<int> RunAsync(string[] args)
    {
        var scenarios = Assembly.GetExecutingAssembly().GetTypes()
            .Where(t => typeof(IScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IScenario)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name == Micro)
            .ThenBy(s => s.Name, StringComparer.Ordinal)
            .ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

        if (args.Length == 0 || !(args[0] is "all" or Summary || scenarios.ContainsKey(args[0])))
        {
            Console.Error.WriteLine($"usage: ReactiveSync.Benchmarks <all|{string.Join('|', scenarios.Keys)}|{Summary}> [options] [{UpdateDocs}]");
            return 2;
        }

        var updateDocs = args.Contains(UpdateDocs);
        if (args[0] == Summary)
        {
            return BenchSummary.Write(updateDocs);
        }

        // Scenario options go to the one scenario named; "all" runs each with its defaults.
        var selected = args[0] == "all" ? scenarios.Values.ToList() : [scenarios[args[0]]];
        var options = args[0] == "all" ? [] : args[1..].Where(a => a != UpdateDocs).ToArray();
        var exit = 0;
        foreach (var scenario in selected)
        {
            Console.WriteLine($"== scenario {scenario.Name} ==");
            var started = DateTimeOffset.UtcNow;
            var load = RunLog.LoadAverage();
            var clock = Stopwatch.StartNew();
            int code;
            try
            {
                code = await scenario.RunAsync(options);
            }
            catch (Exception ex)
            {
                // One broken scenario must not hide the others' results.
                Console.Error.WriteLine($"scenario {scenario.Name} failed: {ex}");
                code = 3;
            }

            RunLog.Record(scenario.Name, new RunLog.Entry(started, clock.Elapsed.TotalSeconds, code, load));
            exit |= code;
        }

        Console.WriteLine("== summary ==");
        var summary = BenchSummary.Write(updateDocs);
        return args[0] == "all" ? exit | summary : exit;
    }
}
