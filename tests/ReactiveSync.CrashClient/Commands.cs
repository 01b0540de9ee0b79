namespace ReactiveSync.CrashClient;

/// <summary>The subcommands, by name. Later crash scenarios (e.g. a syncing client) add theirs here.</summary>
internal static class Commands
{
    public static IReadOnlyDictionary<string, Func<string[], Task<int>>> All { get; } =
        new Dictionary<string, Func<string[], Task<int>>>(StringComparer.Ordinal)
        {
            ["enqueue"] = EnqueueCommand.RunAsync,
            ["sync"] = SyncCommand.RunAsync,
        };
}
