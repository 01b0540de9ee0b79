using System.Reactive.Concurrency;
using System.Reactive.Linq;

namespace ReactiveSync.Reactive;

public static partial class SyncObservable
{
    /// <summary>
    /// Emits the first value at once, then at most one value per <paramref name="interval"/> on <see cref="Scheduler.Default"/>,
    /// always the latest, and the final value before completion.
    /// </summary>
    /// <inheritdoc cref="ThrottleLatest{T}(IObservable{T}, TimeSpan, IScheduler)" path="/remarks"/>
    /// <inheritdoc cref="ThrottleLatest{T}(IObservable{T}, TimeSpan, IScheduler)" path="/typeparam"/>
    /// <param name="source">The values to thin out.</param>
    /// <param name="interval">The least time between two emitted values; positive.</param>
    /// <returns>The thinned values.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public static IObservable<T> ThrottleLatest<T>(this IObservable<T> source, TimeSpan interval) =>
        source.ThrottleLatest(interval, Scheduler.Default);

    /// <summary>
    /// Emits the first value at once, then at most one value per <paramref name="interval"/>, always the latest, and the final
    /// value before completion. Meant for progress: about ten updates a second, never a stale one, and always the last.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>A value while no interval is running is emitted at once and starts an interval.</description></item>
    /// <item><description>Values during an interval are held, the latest replacing the earlier; when the interval ends, the held value is
    /// emitted and a new interval starts; with nothing held, the operator goes idle.</description></item>
    /// <item><description>Completion emits the held value, if any, at once, then completes.</description></item>
    /// <item><description>An error goes downstream at once; a held value is dropped.</description></item>
    /// </list>
    /// Calls downstream are serialized; values emitted at the end of an interval come on <paramref name="scheduler"/>.
    /// </remarks>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The values to thin out.</param>
    /// <param name="interval">The least time between two emitted values; positive.</param>
    /// <param name="scheduler">Where the interval timers run.</param>
    /// <returns>The thinned values.</returns>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="interval"/> is not positive.</exception>
    public static IObservable<T> ThrottleLatest<T>(this IObservable<T> source, TimeSpan interval, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(interval, TimeSpan.Zero);
        ArgumentNullException.ThrowIfNull(scheduler);
        return Observable.Create<T>(observer => new ThrottleLatestSink<T>(interval, scheduler, observer).Run(source));
    }
}
