using System.Reactive.Linq;

namespace ReactiveSync.Reactive;

public static partial class SyncObservable
{
    /// <summary>
    /// Passes values of <paramref name="source"/> while the latest value of <paramref name="isOpen"/> is true; while it is false,
    /// keeps only the latest value that came and emits it as soon as the gate opens. Meant for triggers: "a sync was asked for"
    /// survives a pause, however many times it was asked.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>The gate starts closed: values that come before <paramref name="isOpen"/> first emits are held (the latest one).
    /// The gate is subscribed first, so a gate that replays its state on subscribe (a <c>BehaviorSubject</c>) applies to the very first value.</description></item>
    /// <item><description>Source completion while open, or while closed with nothing held, completes at once. While closed with a value held,
    /// completion waits for the gate to open, then emits the held value and completes.</description></item>
    /// <item><description>Gate completion freezes the gate: completed while open, values keep passing until the source ends; completed while
    /// closed, nothing could ever pass again, so the result completes at once and the held value is dropped.</description></item>
    /// <item><description>An error of either the source or the gate goes downstream at once; a held value is dropped.</description></item>
    /// </list>
    /// Calls downstream are serialized under one lock, in the thread of whichever input caused them.
    /// </remarks>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The values to gate.</param>
    /// <param name="isOpen">The gate: true opens it, false closes it; repeats change nothing.</param>
    /// <returns>The gated values.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="source"/> or <paramref name="isOpen"/> is null.</exception>
    public static IObservable<T> Pausable<T>(this IObservable<T> source, IObservable<bool> isOpen)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(isOpen);
        return Observable.Create<T>(observer => new PausableSink<T>(observer).Run(source, isOpen));
    }
}
