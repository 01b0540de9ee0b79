using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace ReactiveSync.Reactive;

/// <summary>One subscription of <see cref="SyncObservable.ThrottleLatest{T}(IObservable{T}, TimeSpan, IScheduler)"/>.</summary>
internal sealed class ThrottleLatestSink<T> : IObserver<T>, IDisposable
{
    private readonly TimeSpan _interval;
    private readonly IScheduler _scheduler;
    private readonly IObserver<T> _downstream;
    private readonly Lock _lock = new();
    private readonly SingleAssignmentDisposable _subscription = new();
    private readonly SerialDisposable _timer = new();
    private bool _intervalRunning;
    private bool _hasHeld;
    private T? _held;
    private bool _done;

    public ThrottleLatestSink(TimeSpan interval, IScheduler scheduler, IObserver<T> downstream)
    {
        _interval = interval;
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
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            if (_intervalRunning)
            {
                _held = value;
                _hasHeld = true;
                return;
            }

            _intervalRunning = true;
            _downstream.OnNext(value);
            StartInterval();
        }
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
            _hasHeld = false;
            _held = default;
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
            if (_hasHeld)
            {
                var held = _held!;
                _hasHeld = false;
                _held = default;
                _downstream.OnNext(held);
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

    // Called under the lock; scheduling does not block.
    private void StartInterval() =>
        _timer.Disposable = _scheduler.Schedule(this, _interval, static (_, self) =>
        {
            self.EndInterval();
            return Disposable.Empty;
        });

    private void EndInterval()
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            if (!_hasHeld)
            {
                _intervalRunning = false;
                return;
            }

            var held = _held!;
            _hasHeld = false;
            _held = default;
            _downstream.OnNext(held);
            StartInterval();
        }
    }
}
