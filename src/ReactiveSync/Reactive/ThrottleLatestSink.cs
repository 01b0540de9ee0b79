using System.Reactive.Concurrency;

namespace ReactiveSync.Reactive;

/// <summary>One subscription of <see cref="SyncObservable.ThrottleLatest{T}(IObservable{T}, TimeSpan, IScheduler)"/>.</summary>
internal sealed class ThrottleLatestSink<T> : HoldLatestSink<T>
{
    private readonly TimeSpan _interval;
    private bool _intervalRunning;

    public ThrottleLatestSink(TimeSpan interval, IScheduler scheduler, IObserver<T> downstream)
        : base(scheduler, downstream) =>
        _interval = interval;

    public override void OnNext(T value)
    {
        lock (Gate)
        {
            if (IsDone)
            {
                return;
            }

            if (_intervalRunning)
            {
                Hold(value);
                return;
            }

            _intervalRunning = true;
            Downstream.OnNext(value);

            // Under the lock; scheduling does not block.
            StartTimer(_interval);
        }
    }

    // The interval ended: send what came during it and start another, or go idle.
    protected override void OnTimer(ulong tag)
    {
        lock (Gate)
        {
            if (IsDone)
            {
                return;
            }

            if (!EmitHeld())
            {
                _intervalRunning = false;
                return;
            }

            StartTimer(_interval);
        }
    }
}
