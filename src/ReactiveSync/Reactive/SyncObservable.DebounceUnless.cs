using System.Reactive.Concurrency;
using System.Reactive.Linq;

namespace ReactiveSync.Reactive;

public static partial class SyncObservable
{
    /// <summary>
    /// Debounces <paramref name="source"/> on <see cref="Scheduler.Default"/>, except values for which <paramref name="passImmediately"/>
    /// holds, which pass at once.
    /// </summary>
    /// <inheritdoc cref="DebounceUnless{T}(IObservable{T}, TimeSpan, Func{T, bool}, IScheduler)" path="/remarks"/>
    /// <inheritdoc cref="DebounceUnless{T}(IObservable{T}, TimeSpan, Func{T, bool}, IScheduler)" path="/typeparam"/>
    /// <param name="source">The values to debounce.</param>
    /// <param name="dueTime">How long a value must be followed by silence before it is emitted; not negative.</param>
    /// <param name="passImmediately">Whether a value skips the debounce.</param>
    /// <returns>The urgent values at once and the others debounced.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> is negative.</exception>
    public static IObservable<T> DebounceUnless<T>(this IObservable<T> source, TimeSpan dueTime, Func<T, bool> passImmediately) =>
        source.DebounceUnless(dueTime, passImmediately, Scheduler.Default);

    /// <summary>
    /// Debounces <paramref name="source"/>, except values for which <paramref name="passImmediately"/> holds, which pass at once.
    /// The pipeline uses it so that High and Critical queue changes start a sync at once while bursts of others are debounced.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>A debounced value is emitted once <paramref name="dueTime"/> has passed without another value; a newer value
    /// replaces it and restarts the wait (like <see cref="Observable.Throttle{TSource}(IObservable{TSource}, TimeSpan, IScheduler)"/>).</description></item>
    /// <item><description>An immediate value is emitted at once and drops the debounced value still waiting: for triggers, what the
    /// immediate value starts covers the earlier one.</description></item>
    /// <item><description>Completion emits the waiting value, if any, at once, then completes.</description></item>
    /// <item><description>An error goes downstream at once; the waiting value is dropped.</description></item>
    /// <item><description>An exception thrown by <paramref name="passImmediately"/> ends the sequence with that exception.</description></item>
    /// </list>
    /// Calls downstream are serialized; debounced values come on <paramref name="scheduler"/>.
    /// </remarks>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The values to debounce.</param>
    /// <param name="dueTime">How long a value must be followed by silence before it is emitted; not negative.</param>
    /// <param name="passImmediately">Whether a value skips the debounce.</param>
    /// <param name="scheduler">Where the debounce timers run.</param>
    /// <returns>The urgent values at once and the others debounced.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="dueTime"/> is negative.</exception>
    public static IObservable<T> DebounceUnless<T>(
        this IObservable<T> source,
        TimeSpan dueTime,
        Func<T, bool> passImmediately,
        IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThan(dueTime, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(passImmediately);
        ArgumentNullException.ThrowIfNull(scheduler);
        return Observable.Create<T>(observer =>
            new DebounceUnlessSink<T>(dueTime, passImmediately, scheduler, observer).Run(source));
    }
}
