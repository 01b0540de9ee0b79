namespace ReactiveSync.Benchmarks.Summary;

/// <summary>
/// A goal of the issues, checked against a number in a scenario's artifact: <see cref="Field"/> is a path into the JSON
/// ("ratios.c_over_a"), compared with <see cref="Target"/> by <see cref="Comparison"/> (">=", "&lt;=", "&lt;").
/// </summary>
internal sealed record GoalSpec(string Issue, string Scenario, string Description, string Field, string Comparison, double Target, string Unit)
{
    /// <summary>The goals of issues #3 (queue), #4 (push) and #6 (download); the pull scenario has none.</summary>
    public static IReadOnlyList<GoalSpec> All { get; } =
    [
        new("#3", "queue", "(c) QueueOperationAsync, 16 producers, vs (a) raw SQLite, one row per transaction", "ratios.c_over_a", ">=", 10, "x"),
        new("#3", "queue", "(d) QueueOperationAsync, 256 producers, vs (b) raw SQLite, 1000 rows per transaction", "ratios.d_over_b", ">=", 0.5, "x"),
        new("#3", "queue", "(e) QueueOperationsAsync, 1000 per call, vs (b)", "ratios.e_over_b", ">=", 0.8, "x"),
        new("#3", "queue", "working set with the memory count queued, above an empty queue", "ratios.memory_delta_working_set_mb", "<=", 64, " MB"),
        new("#3", "queue", "TakeBatch(100) median with the memory count queued", "figures.take_batch_100_median_ms_full", "<", 5, " ms"),
        new("#4", "push", "engine, batch size 100, vs a naive client (one request per operation)", "ratios.batch100_vs_naive", ">=", 10, "x"),
        new("#6", "download", "ContentDownloadManager vs a plain HttpClient stream copy", "ratios.managerVsPlain", ">=", 0.9, "x"),
    ];

    public bool IsMet(double value) => Comparison switch
    {
        ">=" => value >= Target,
        "<=" => value <= Target,
        "<" => value < Target,
        _ => throw new InvalidOperationException($"unknown comparison {Comparison}"),
    };
}
