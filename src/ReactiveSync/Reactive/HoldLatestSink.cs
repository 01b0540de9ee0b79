using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace ReactiveSync.Reactive;

/// <summary>
/// Plumbing shared by the timed operators that hold back the latest value (DebounceUnless, ThrottleLatest): the gate
/// lock, the done flag, the held value, the source subscription and one timer. On completion the held value goes out
/// before OnCompleted; on error it is dropped. A subclass decides in <see cref="OnNext"/> and <see cref="OnTimer"/>
/// what to emit and what to hold.
/// </summary>
internal abstract class HoldLatestSink<T> : IObserver<T>, IDisposable
{
    private readonly IScheduler _scheduler;
    private readonly SingleAssignmentDisposable _subscription = new();
    private readonly SerialDisposable _timer = new();
    private bool _hasHeld;
    private T? _held;
    private bool _done;

    protected HoldLatestSink(IScheduler scheduler, IObserver<T> downstream)
    {
        _scheduler = scheduler;
        Downstream = downstream;
    }

    /// <summary>Guards the held value, <see cref="IsDone"/> and every call downstream.</summary>
    protected Lock Gate { get; } = new();

    protected IObserver<T> Downstream { get; }

    /// <summary>True once the sink ended or was disposed; read under <see cref="Gate"/>.</summary>
    protected bool IsDone => _done;

    public IDisposable Run(IObservable<T> source)
    {
        _subscription.Disposable = source.SubscribeSafe(this);
        return this;
    }

    public abstract void OnNext(T value);

    public void OnError(Exception error)
    {
        lock (Gate)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            DropHeld();
            Downstream.OnError(error);
        }

        Dispose();
    }

    public void OnCompleted()
    {
        lock (Gate)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            EmitHeld();
            Downstream.OnCompleted();
        }

        Dispose();
    }

    public void Dispose()
    {
        Volatile.Write(ref _done, true);
        _subscription.Dispose();
        _timer.Dispose();
    }

    /// <summary>Runs when a timer started by <see cref="StartTimer"/> fires, with the tag it was started with.</summary>
    protected abstract void OnTimer(ulong tag);

    /// <summary>Replaces the timer (cancelling the previous one) with one that calls <see cref="OnTimer"/> after <paramref name="dueTime"/>.</summary>
    protected void StartTimer(TimeSpan dueTime, ulong tag = 0) =>
        _timer.Disposable = _scheduler.Schedule((Sink: this, Tag: tag), dueTime, static (_, state) =>
        {
            state.Sink.OnTimer(state.Tag);
            return Disposable.Empty;
        });

    /// <summary>Cancels the pending timer, if any.</summary>
    protected void CancelTimer() => _timer.Disposable = Disposable.Empty;

    /// <summary>Holds <paramref name="value"/> back, replacing any held one; call under <see cref="Gate"/>.</summary>
    protected void Hold(T value)
    {
        _held = value;
        _hasHeld = true;
    }

    /// <summary>Forgets the held value; call under <see cref="Gate"/>.</summary>
    protected void DropHeld()
    {
        _hasHeld = false;
        _held = default;
    }

    /// <summary>Sends the held value downstream, if there is one, and answers whether there was; call under <see cref="Gate"/>.</summary>
    protected bool EmitHeld()
    {
        if (!_hasHeld)
        {
            return false;
        }

        var held = _held!;
        DropHeld();
        Downstream.OnNext(held);
        return true;
    }
}
