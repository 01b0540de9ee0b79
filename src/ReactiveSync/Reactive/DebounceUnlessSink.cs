using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace ReactiveSync.Reactive;

/// <summary>One subscription of <see cref="SyncObservable.DebounceUnless{T}(IObservable{T}, TimeSpan, Func{T, bool}, IScheduler)"/>.</summary>
internal sealed class DebounceUnlessSink<T> : IObserver<T>, IDisposable
{
    private readonly TimeSpan _dueTime;
    private readonly Func<T, bool> _passImmediately;
    private readonly IScheduler _scheduler;
    private readonly IObserver<T> _downstream;
    private readonly Lock _lock = new();
    private readonly SingleAssignmentDisposable _subscription = new();
    private readonly SerialDisposable _timer = new();
    private bool _hasWaiting;
    private T? _waiting;

    // Identifies the latest value, so a timer that fires after a newer value came does nothing.
    private ulong _latestId;
    private bool _done;

    public DebounceUnlessSink(TimeSpan dueTime, Func<T, bool> passImmediately, IScheduler scheduler, IObserver<T> downstream)
    {
        _dueTime = dueTime;
        _passImmediately = passImmediately;
        _scheduler = scheduler;
        _downstream = downstream;
    }

    public IDisposable Run(IObservable<T> source)
    {
        _subscription.Disposable = source.SubscribeSafe(this);
        return this;
    }

    public void OnNext(T value)
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
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            id = ++_latestId;
            if (immediate)
            {
                _hasWaiting = false;
                _waiting = default;
                _downstream.OnNext(value);
            }
            else
            {
                _hasWaiting = true;
                _waiting = value;
            }
        }

        // Source calls are serialized, so these assignments are too; replacing the timer cancels the previous wait.
        _timer.Disposable = immediate
            ? Disposable.Empty
            : _scheduler.Schedule((Sink: this, Id: id), _dueTime, static (_, state) =>
            {
                state.Sink.EmitIfLatest(state.Id);
                return Disposable.Empty;
            });
    }

    public void OnError(Exception error)
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _hasWaiting = false;
            _waiting = default;
            _downstream.OnError(error);
        }

        Dispose();
    }

    public void OnCompleted()
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            if (_hasWaiting)
            {
                var waiting = _waiting!;
                _hasWaiting = false;
                _waiting = default;
                _downstream.OnNext(waiting);
            }

            _downstream.OnCompleted();
        }

        Dispose();
    }

    public void Dispose()
    {
        Volatile.Write(ref _done, true);
        _subscription.Dispose();
        _timer.Dispose();
    }

    private void EmitIfLatest(ulong id)
    {
        lock (_lock)
        {
            if (_done || !_hasWaiting || id != _latestId)
            {
                return;
            }

            var waiting = _waiting!;
            _hasWaiting = false;
            _waiting = default;
            _downstream.OnNext(waiting);
        }
    }
}
