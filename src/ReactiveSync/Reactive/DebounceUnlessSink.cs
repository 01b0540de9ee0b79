using System.Reactive.Concurrency;

namespace ReactiveSync.Reactive;

/// <summary>One subscription of <see cref="SyncObservable.DebounceUnless{T}(IObservable{T}, TimeSpan, Func{T, bool}, IScheduler)"/>.</summary>
internal sealed class DebounceUnlessSink<T> : HoldLatestSink<T>
{
    private readonly TimeSpan _dueTime;
    private readonly Func<T, bool> _passImmediately;

    // Identifies the latest value, so a timer that fires after a newer value came does nothing.
    private ulong _latestId;

    public DebounceUnlessSink(TimeSpan dueTime, Func<T, bool> passImmediately, IScheduler scheduler, IObserver<T> downstream)
        : base(scheduler, downstream)
    {
        _dueTime = dueTime;
        _passImmediately = passImmediately;
    }

    public override void OnNext(T value)
    {
        bool immediate;
        try
        {
            immediate = _passImmediately(value);
        }
        catch (Exception error)
        {
            OnError(error);
            return;
        }

        ulong id;
        lock (Gate)
        {
            if (IsDone)
            {
                return;
            }

            id = ++_latestId;
            if (immediate)
            {
                DropHeld();
                Downstream.OnNext(value);
            }
            else
            {
                Hold(value);
            }
        }

        // Source calls are serialized, so these assignments are too; replacing the timer cancels the previous wait.
        if (immediate)
        {
            CancelTimer();
        }
        else
        {
            StartTimer(_dueTime, id);
        }
    }

    protected override void OnTimer(ulong tag)
    {
        lock (Gate)
        {
            if (!IsDone && tag == _latestId)
            {
                EmitHeld();
            }
        }
    }
}
