namespace ReactiveSync.Benchmarks;

/// <summary>A benchmark scenario: measures the library against its baseline in the same run and writes artifacts/bench/NAME.json.</summary>
internal interface IScenario
{
    /// <summary>The name given on the command line, e.g. <c>queue</c>.</summary>
    string Name { get; }

    /// <summary>Runs the scenario; answers 0 when every goal is met, 1 otherwise.</summary>
    Task<int> RunAsync(string[] args);
}
