namespace ReactiveSync.Benchmarks.Push;

/// <summary>
/// What the process allocated and collected between <see cref="Start"/> and <see cref="Stop"/>: client and server run
/// in one process, so a figure's allocation is both ends' and its GC pauses stop both.
/// </summary>
internal readonly struct MemoryMeter
{
    private readonly long _allocated;
    private readonly int _collections;
    private readonly TimeSpan _pause;

    private MemoryMeter(long allocated, int collections, TimeSpan pause)
    {
        _allocated = allocated;
        _collections = collections;
        _pause = pause;
    }

    public static MemoryMeter Start() => new(GC.GetTotalAllocatedBytes(precise: true), GC.CollectionCount(0), GC.GetTotalPauseDuration());

    public MemoryUse Stop() => new(
        GC.GetTotalAllocatedBytes(precise: true) - _allocated, GC.CollectionCount(0) - _collections, GC.GetTotalPauseDuration() - _pause);
}
