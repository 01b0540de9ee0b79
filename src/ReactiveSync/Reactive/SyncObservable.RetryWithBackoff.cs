using System.Reactive.Concurrency;
using System.Reactive.Linq;
using ReactiveSync.Model;

namespace ReactiveSync.Reactive;

/// <summary>The Rx operators the sync pipeline is built from; apps can use them in their own pipelines.</summary>
public static partial class SyncObservable
{
    /// <summary>
    /// Re-subscribes to <paramref name="source"/> after each failure that <paramref name="isRetryable"/> accepts, waiting per
    /// <paramref name="policy"/> on <paramref name="scheduler"/>, with the default random source, the Retry-After hint of a
    /// <see cref="SyncException"/>, and no retry notifications.
    /// </summary>
    /// <inheritdoc cref="RetryWithBackoff{T}(IObservable{T}, BackoffPolicy, Func{Exception, bool}, Func{Exception, TimeSpan?}?, Func{double}?, Action{RetryAttempt}?, IScheduler)" path="/param"/>
    public static IObservable<T> RetryWithBackoff<T>(
        this IObservable<T> source,
        BackoffPolicy policy,
        Func<Exception, bool> isRetryable,
        IScheduler scheduler) =>
        source.RetryWithBackoff(policy, isRetryable, retryAfter: null, random: null, onRetry: null, scheduler);

    /// <summary>
    /// Re-subscribes to <paramref name="source"/> after each failure that <paramref name="isRetryable"/> accepts, waiting per
    /// <paramref name="policy"/> on <see cref="Scheduler.Default"/>.
    /// </summary>
    /// <inheritdoc cref="RetryWithBackoff{T}(IObservable{T}, BackoffPolicy, Func{Exception, bool}, Func{Exception, TimeSpan?}?, Func{double}?, Action{RetryAttempt}?, IScheduler)" path="/param"/>
    public static IObservable<T> RetryWithBackoff<T>(
        this IObservable<T> source,
        BackoffPolicy policy,
        Func<Exception, bool> isRetryable) =>
        source.RetryWithBackoff(policy, isRetryable, retryAfter: null, random: null, onRetry: null, Scheduler.Default);

    /// <summary>
    /// Re-subscribes to <paramref name="source"/> after each failure that <paramref name="isRetryable"/> accepts, waiting
    /// <see cref="BackoffCalculator.ComputeDelay"/> on <paramref name="scheduler"/> between the failure and the new subscription.
    /// </summary>
    /// <remarks>
    /// Values from every subscription pass through, including those before a failure. The error goes downstream, unchanged and
    /// at once, when it is not retryable or when <see cref="BackoffPolicy.MaxRetries"/> retries have been used; the count runs
    /// for the whole subscription and values do not reset it. Completion ends the sequence. The first subscription is made at
    /// once; every retry subscribes from a scheduled action, so a source that fails synchronously never recurses. Disposing
    /// cancels a pending retry: no re-subscription follows. An exception thrown by <paramref name="isRetryable"/>,
    /// <paramref name="retryAfter"/>, <paramref name="random"/> or <paramref name="onRetry"/> ends the sequence with that exception.
    /// </remarks>
    /// <typeparam name="T">The element type.</typeparam>
    /// <param name="source">The sequence to retry; cold, so that re-subscribing repeats the work.</param>
    /// <param name="policy">How long to wait before each retry and how many retries to allow.</param>
    /// <param name="isRetryable">Whether a failure is worth retrying.</param>
    /// <param name="retryAfter">Reads a server's Retry-After hint from a failure; null reads <see cref="SyncError.RetryAfter"/> of a <see cref="SyncException"/>.</param>
    /// <param name="random">A uniform random number in [0, 1) for the jitter; null uses <see cref="Random.Shared"/>.</param>
    /// <param name="onRetry">Told of each retry as it is scheduled, before the wait, so status can show it; may be null.</param>
    /// <param name="scheduler">Where the waits run; its clock gives <see cref="RetryAttempt.DueAt"/>.</param>
    /// <returns>The values of all subscriptions to <paramref name="source"/>, ending as the last one ends or when retries run out.</returns>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    public static IObservable<T> RetryWithBackoff<T>(
        this IObservable<T> source,
        BackoffPolicy policy,
        Func<Exception, bool> isRetryable,
        Func<Exception, TimeSpan?>? retryAfter,
        Func<double>? random,
        Action<RetryAttempt>? onRetry,
        IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(isRetryable);
        ArgumentNullException.ThrowIfNull(scheduler);
        var settings = new RetryWithBackoffSettings(
            policy,
            isRetryable,
            retryAfter ?? RetryAfterOfSyncException,
            random ?? Random.Shared.NextDouble,
            onRetry,
            scheduler);
        return Observable.Create<T>(observer => new RetryWithBackoffSink<T>(source, settings, observer).Run());
    }

    private static TimeSpan? RetryAfterOfSyncException(Exception error) =>
        error is SyncException syncException ? syncException.Error.RetryAfter : null;
}
