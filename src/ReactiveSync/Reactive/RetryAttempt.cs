namespace ReactiveSync.Reactive;

/// <summary>A retry that <see cref="SyncObservable.RetryWithBackoff{T}(IObservable{T}, BackoffPolicy, Func{Exception, bool}, Func{Exception, TimeSpan?}?, Func{double}?, Action{RetryAttempt}?, System.Reactive.Concurrency.IScheduler)"/> has scheduled.</summary>
/// <param name="Attempt">The retry number, from 1 for the first retry.</param>
/// <param name="Delay">How long it waits before re-subscribing.</param>
/// <param name="Error">The failure that caused the retry.</param>
/// <param name="DueAt">When it re-subscribes, by the operator's scheduler clock.</param>
public sealed record RetryAttempt(int Attempt, TimeSpan Delay, Exception Error, DateTimeOffset DueAt);
