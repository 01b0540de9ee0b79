using System.Reactive.Linq;

namespace ReactiveSync.Reactive;

public static partial class SyncObservable
{
    /// <summary>
    /// Starts <paramref name="run"/> for a trigger, never two runs at once: triggers that come during a run are coalesced into
    /// exactly one more run after it, however many they were. Emits each run's result.
    /// </summary>
    /// <inheritdoc cref="SelectExclusive{TTrigger, TResult}(IObservable{TTrigger}, Func{TTrigger, CancellationToken, Task{TResult}})" path="/remarks"/>
    /// <typeparam name="TTrigger">The trigger type; its values are not used.</typeparam>
    /// <typeparam name="TResult">The result of a run.</typeparam>
    /// <param name="triggers">Requests for a run.</param>
    /// <param name="run">The work; gets a token that is cancelled when the subscription is disposed or the triggers fail.</param>
    /// <returns>One result per run, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="triggers"/> or <paramref name="run"/> is null.</exception>
    public static IObservable<TResult> SelectExclusive<TTrigger, TResult>(
        this IObservable<TTrigger> triggers,
        Func<CancellationToken, Task<TResult>> run)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        ArgumentNullException.ThrowIfNull(run);
        return triggers.SelectExclusive((_, cancellationToken) => run(cancellationToken));
    }

    /// <summary>
    /// Starts <paramref name="run"/> for a trigger, never two runs at once: triggers that come during a run are coalesced into
    /// exactly one more run after it, which gets the latest of them. Emits each run's result.
    /// </summary>
    /// <remarks>
    /// <list type="bullet">
    /// <item><description>A trigger while idle starts a run at once, on the trigger's thread (the run should return its task promptly);
    /// a trigger during a run only marks that one more run is due. A follow-up run starts on the thread that finished the previous one,
    /// right after its result was emitted.</description></item>
    /// <item><description>Completion of the triggers completes the result after the current run and its follow-up, if any.</description></item>
    /// <item><description>A run that throws, faults or is cancelled by itself ends the sequence with its exception (a cancelled run with an
    /// <see cref="OperationCanceledException"/>); callers that want to go on catch inside <c>run</c> and return a result that says so.</description></item>
    /// <item><description>An error of the triggers goes downstream at once and cancels the token of the running run, whose result is dropped.</description></item>
    /// <item><description>Disposing cancels the running run's token and drops its result; no run starts afterwards.</description></item>
    /// </list>
    /// Calls downstream are serialized.
    /// </remarks>
    /// <typeparam name="TTrigger">The trigger type.</typeparam>
    /// <typeparam name="TResult">The result of a run.</typeparam>
    /// <param name="triggers">Requests for a run.</param>
    /// <param name="run">The work, given the trigger that started it (the latest one, when several were coalesced) and a token that is
    /// cancelled when the subscription is disposed or the triggers fail.</param>
    /// <returns>One result per run, in order.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="triggers"/> or <paramref name="run"/> is null.</exception>
    public static IObservable<TResult> SelectExclusive<TTrigger, TResult>(
        this IObservable<TTrigger> triggers,
        Func<TTrigger, CancellationToken, Task<TResult>> run)
    {
        ArgumentNullException.ThrowIfNull(triggers);
        ArgumentNullException.ThrowIfNull(run);
        return Observable.Create<TResult>(observer => new SelectExclusiveSink<TTrigger, TResult>(run, observer).Run(triggers));
    }
}
