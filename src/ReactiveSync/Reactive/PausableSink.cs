using System.Reactive;
using System.Reactive.Disposables;

namespace ReactiveSync.Reactive;

/// <summary>One subscription of <see cref="SyncObservable.Pausable{T}"/>; all state is guarded by <see cref="_lock"/>.</summary>
internal sealed class PausableSink<T> : IDisposable
{
    private readonly IObserver<T> _downstream;
    private readonly Lock _lock = new();
    private readonly SingleAssignmentDisposable _gateSubscription = new();
    private readonly SingleAssignmentDisposable _sourceSubscription = new();
    private bool _open;
    private bool _hasHeld;
    private T? _held;
    private bool _sourceCompleted;
    private bool _done;

    public PausableSink(IObserver<T> downstream) => _downstream = downstream;

    public IDisposable Run(IObservable<T> source, IObservable<bool> isOpen)
    {
        _gateSubscription.Disposable = isOpen.SubscribeSafe(Observer.Create<bool>(OnGate, OnError, OnGateCompleted));
        _sourceSubscription.Disposable = source.SubscribeSafe(Observer.Create<T>(OnSource, OnError, OnSourceCompleted));
        return this;
    }

    public void Dispose()
    {
        Volatile.Write(ref _done, true);
        _gateSubscription.Dispose();
        _sourceSubscription.Dispose();
    }

    private void OnGate(bool open)
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _open = open;
            if (!open)
            {
                return;
            }

            if (_hasHeld)
            {
                var held = _held!;
                _hasHeld = false;
                _held = default;
                _downstream.OnNext(held);
            }

            if (_sourceCompleted)
            {
                Complete();
            }
        }
    }

    private void OnGateCompleted()
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _gateSubscription.Dispose();
            if (!_open)
            {
                Complete();
            }
        }
    }

    private void OnSource(T value)
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            if (_open)
            {
                _downstream.OnNext(value);
            }
            else
            {
                _held = value;
                _hasHeld = true;
            }
        }
    }

    private void OnSourceCompleted()
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _sourceCompleted = true;
            _sourceSubscription.Dispose();
            if (_open || !_hasHeld)
            {
                Complete();
            }
        }
    }

    private void OnError(Exception error)
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _held = default;
            _downstream.OnError(error);
            Dispose();
        }
    }

    private void Complete()
    {
        _done = true;
        _held = default;
        _downstream.OnCompleted();
        Dispose();
    }
}
