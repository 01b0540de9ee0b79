namespace ReactiveSync.Benchmarks.Micro;

/// <summary>
/// One micro benchmark's result in artifacts/bench/micro.json: time (median and mean of the iterations) and allocation per
/// operation, and the ratio of its median to its category's baseline's median.
/// </summary>
internal sealed record MicroResult(
    string Class,
    string Category,
    string Method,
    bool Baseline,
    double MedianNs,
    double MeanNs,
    double StdDevNs,
    long AllocatedBytesPerOperation,
    double? Ratio);
