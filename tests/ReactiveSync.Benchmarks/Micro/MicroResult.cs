namespace ReactiveSync.Benchmarks.Micro;

/// <summary>One micro benchmark's result in artifacts/bench/micro.json: time and allocation per operation, and its ratio to its category's baseline.</summary>
internal sealed record MicroResult(
    string Class,
    string Category,
    string Method,
    bool Baseline,
    double MeanNs,
    double StdDevNs,
    long AllocatedBytesPerOperation,
    double? Ratio);
