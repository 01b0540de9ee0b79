using System.Reactive.Concurrency;

namespace ReactiveSync.IntegrationTests.Conflicts;

/// <summary>A device clock that is wrong by <paramref name="shift"/>: <see cref="Now"/> is shifted; timers still fire in real time.</summary>
internal sealed class ShiftedScheduler(IScheduler inner, TimeSpan shift) : IScheduler
{
    public DateTimeOffset Now => inner.Now + shift;

    public IDisposable Schedule<TState>(TState state, Func<IScheduler, TState, IDisposable> action) =>
        inner.Schedule(state, (_, s) => action(this, s));

    public IDisposable Schedule<TState>(TState state, TimeSpan dueTime, Func<IScheduler, TState, IDisposable> action) =>
        inner.Schedule(state, dueTime, (_, s) => action(this, s));

    // An absolute time on this clock is the same instant minus the shift on the real one.
    public IDisposable Schedule<TState>(TState state, DateTimeOffset dueTime, Func<IScheduler, TState, IDisposable> action) =>
        inner.Schedule(state, dueTime - shift, (_, s) => action(this, s));
}
