using System.Reactive.Concurrency;

namespace ReactiveSync.Http.Internal;

/// <summary>
/// Keeps the server clock minus the client clock, learned from responses' <c>Date</c> headers. The latest sample
/// wins (no smoothing): <c>Date</c> has one-second resolution anyway, and a client clock the user just changed is
/// corrected by the next response instead of being averaged away.
/// </summary>
internal sealed class ServerClock
{
    private readonly IScheduler _scheduler;
    private long _offsetTicks;

    public ServerClock(IScheduler scheduler) => _scheduler = scheduler;

    public TimeSpan Offset => TimeSpan.FromTicks(Interlocked.Read(ref _offsetTicks));

    public void Learn(HttpResponseMessage response)
    {
        if (response.Headers.Date is { } serverNow)
        {
            Interlocked.Exchange(ref _offsetTicks, (serverNow - _scheduler.Now).Ticks);
        }
    }
}
