using System.Reactive.Concurrency;
using Microsoft.Reactive.Testing;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>
/// A <see cref="TestScheduler"/> that may be called from several threads: the engine's drains continue on the thread
/// pool (the queue's writer completes its tasks there) while the test thread advances virtual time. Every call, and the
/// disposal of every scheduled item, takes one lock; scheduled actions see this wrapper as their scheduler.
/// </summary>
internal sealed class LockedTestScheduler : IScheduler
{
    private readonly object _gate = new();

    public LockedTestScheduler(DateTimeOffset start)
    {
        Inner.AdvanceTo(start.UtcTicks);
    }

    public TestScheduler Inner { get; } = new();

    public DateTimeOffset Now
    {
        get
        {
            lock (_gate)
            {
                return Inner.Now;
            }
        }
    }

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action)
    {
        lock (_gate)
        {
            return new Locked(_gate, Inner.Schedule(state, (_, s) => action(this, s)));
        }
    }

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (_gate)
        {
            return new Locked(_gate, Inner.Schedule(state, dueTime, (_, s) => action(this, s)));
        }
    }

    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action)
    {
        lock (_gate)
        {
            return new Locked(_gate, Inner.Schedule(state, dueTime, (_, s) => action(this, s)));
        }
    }

    public void AdvanceTo(DateTimeOffset time)
    {
        lock (_gate)
        {
            Inner.AdvanceTo(time.UtcTicks);
        }
    }

    private sealed class Locked(object gate, IDisposable inner) : IDisposable
    {
        public void Dispose()
        {
            lock (gate)
            {
                inner.Dispose();
            }
        }
    }
}
