namespace ReactiveSync.Benchmarks;

/// <summary>The benchmark scenarios by name; each runs against its baseline in the same process.</summary>
internal static class ScenarioCatalog
{
    private static readonly Dictionary<string, Func<string[], Task<int>>> Scenarios = new(StringComparer.OrdinalIgnoreCase)
    {
    };

    public static async Task<int> RunAsync(string[] args)
    {
        if (args.Length == 0 || !(args[0] == "all" || Scenarios.ContainsKey(args[0])))
        {
            Console.Error.WriteLine($"usage: ReactiveSync.Benchmarks <all|{string.Join('|', Scenarios.Keys)}> [options]");
            return 2;
        }

        var names = args[0] == "all" ? Scenarios.Keys.ToList() : [args[0]];
        var rest = args[1..];
        var exit = 0;
        foreach (var name in names)
        {
            Console.WriteLine($"== scenario {name} ==");
            exit |= await Scenarios[name](rest);
        }

        return exit;
    }
}
