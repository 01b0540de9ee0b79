namespace ReactiveSync.Benchmarks.Push;

/// <summary>Bytes allocated, collections (of any generation: each counts in generation 0's count) and time paused for them.</summary>
internal readonly record struct MemoryUse(long AllocatedBytes, int Collections, TimeSpan Pause);
