namespace ReactiveSync.Demo;

/// <summary>What the demo shows at the end.</summary>
internal sealed record DemoReport
{
    /// <summary>One row per device.</summary>
    public required IReadOnlyList<DeviceRow> Devices { get; init; }

    /// <summary>How long the whole run took.</summary>
    public required TimeSpan Elapsed { get; init; }

    /// <summary>The in-process server's counters; null against a server already running.</summary>
    public ServerTotals? Server { get; init; }

    /// <summary>Live resources on the server at the end.</summary>
    public int ServerResources { get; init; }

    /// <summary>Where the server's copy was read from.</summary>
    public required string ServerSource { get; init; }

    /// <summary>Where each device's view was read from.</summary>
    public required string DeviceViewSource { get; init; }

    /// <summary>Each check of the day's outcome and of convergence: what, whether it held, the detail.</summary>
    public required IReadOnlyList<(string Check, bool Passed, string Detail)> Checks { get; init; }

    /// <summary>Whether both devices' views equal the server's copy.</summary>
    public required bool Converged { get; init; }

    /// <summary>Whether every check held.</summary>
    public bool AllPassed => Checks.All(c => c.Passed);

    /// <summary>What was left out of this run, said plainly.</summary>
    public IReadOnlyList<string> Notes { get; init; } = [];

    /// <summary>The device table, one row per measure and one column per device, so it fits a narrow terminal.</summary>
    public IReadOnlyList<(string Measure, string[] Values)> DeviceTable() =>
    [
        ("operations queued by the user", Values(d => N(d.Queued))),
        ("  folded into a pending one", Values(d => N(d.Coalesced))),
        ("  deletes that cancelled a draft", Values(d => N(d.Cancelled))),
        ("batches pushed", Values(d => N(d.Batches))),
        ("requests the server failed (5xx, cut)", Values(d => N(d.RequestFailures))),
        ("operations applied", Values(d => N(d.Applied))),
        ("  of which answered duplicate", Values(d => N(d.Duplicates))),
        ("retries", Values(d => N(d.Retried))),
        ("conflicts", Values(d => N(d.Conflicts))),
        ("  resolved as", Values(d => d.ConflictOutcomes.Length == 0 ? "-" : d.ConflictOutcomes)),
        ("server changes pulled by the engine", Values(d => N(d.Pulled))),
        ("left in the queue", Values(d => N(d.LeftInQueue))),
    ];

    /// <summary>A count for people: thousands separated.</summary>
    public static string N(long value) => value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private string[] Values(Func<DeviceRow, string> value) => [.. Devices.Select(value)];
}

/// <summary>One device's numbers.</summary>
internal sealed record DeviceRow(
    string Label,
    long Queued,
    long Coalesced,
    long Cancelled,
    long Batches,
    long RequestFailures,
    long Applied,
    long Duplicates,
    long Retried,
    long Conflicts,
    string ConflictOutcomes,
    long Pulled,
    int LeftInQueue);

/// <summary>The server's counters.</summary>
internal sealed record ServerTotals(
    long PushRequests,
    long OperationsApplied,
    long Duplicates,
    long Conflicts,
    long Rejected,
    long PullRequests,
    long FaultsInjected,
    long LastSequence);
