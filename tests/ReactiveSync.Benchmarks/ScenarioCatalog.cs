using System.Reflection;

namespace ReactiveSync.Benchmarks;

/// <summary>Finds every <see cref="IScenario"/> in this assembly and runs the one named, or all.</summary>
internal static class ScenarioCatalog
{
    public static async Task<int> RunAsync(string[] args)
    {
        var scenarios = Assembly.GetExecutingAssembly().GetTypes()
            .Where(t => typeof(IScenario).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .Select(t => (IScenario)Activator.CreateInstance(t)!)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToDictionary(s => s.Name, StringComparer.OrdinalIgnoreCase);

        if (args.Length == 0 || !(args[0] == "all" || scenarios.ContainsKey(args[0])))
        {
            Console.Error.WriteLine($"usage: ReactiveSync.Benchmarks <all|{string.Join('|', scenarios.Keys)}> [options]");
            return 2;
        }

        var selected = args[0] == "all" ? scenarios.Values.ToList() : [scenarios[args[0]]];
        var exit = 0;
        foreach (var scenario in selected)
        {
            Console.WriteLine($"== scenario {scenario.Name} ==");
            exit |= await scenario.RunAsync(args[1..]);
        }

        return exit;
    }
}
