using System.Reactive.Concurrency;

namespace ReactiveSync.Reactive;

/// <summary>The validated arguments of one <see cref="SyncObservable.RetryWithBackoff{T}(IObservable{T}, BackoffPolicy, Func{Exception, bool}, IScheduler)"/> call.</summary>
internal sealed record RetryWithBackoffSettings(
    BackoffPolicy Policy,
    Func<Exception, bool> IsRetryable,
    Func<Exception, TimeSpan?> RetryAfter,
    Func<double> Random,
    Action<RetryAttempt>? OnRetry,
    IScheduler Scheduler);
