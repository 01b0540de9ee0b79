namespace ReactiveSync.Demo;

/// <summary>
/// Where the demo shows what happens: a live Spectre.Console display on an interactive terminal, plain lines
/// elsewhere (CI logs, tests). Thread-safe: devices log from their engines' threads.
/// </summary>
internal interface IDemoView
{
    /// <summary>Starts a phase of the day.</summary>
    void Phase(string title, string description);

    /// <summary>Something a device (or the demo, when <paramref name="device"/> is null) did.</summary>
    void Log(string? device, string message, LogKind kind = LogKind.Info);

    /// <summary>Runs <paramref name="work"/> while showing the devices' progress live.</summary>
    Task RunLiveAsync(IReadOnlyList<Device> devices, Func<Task> work);

    /// <summary>Shows the final report.</summary>
    void Report(DemoReport report);
}
