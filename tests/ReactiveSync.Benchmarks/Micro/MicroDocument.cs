namespace ReactiveSync.Benchmarks.Micro;

/// <summary>artifacts/bench/micro.json: the micro benchmarks' job, machine and results.</summary>
internal sealed record MicroDocument(
    string Scenario,
    string Job,
    int Iterations,
    int Processors,
    string Os,
    double Seconds,
    IReadOnlyList<MicroResult> Results);
