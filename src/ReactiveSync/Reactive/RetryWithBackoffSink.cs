using System.Reactive.Concurrency;
using System.Reactive.Disposables;

namespace ReactiveSync.Reactive;

/// <summary>The validated arguments of one <see cref="SyncObservable.RetryWithBackoff{T}(IObservable{T}, BackoffPolicy, Func{Exception, bool}, IScheduler)"/> call.</summary>
internal sealed record RetryWithBackoffSettings(
    BackoffPolicy Policy,
    Func<Exception, bool> IsRetryable,
    Func<Exception, TimeSpan?> RetryAfter,
    Func<double> Random,
    Action<RetryAttempt>? OnRetry,
    IScheduler Scheduler);

/// <summary>One subscription of RetryWithBackoff: the current source subscription or the pending retry timer.</summary>
internal sealed class RetryWithBackoffSink<T> : IObserver<T>, IDisposable
{
    private readonly IObservable<T> _source;
    private readonly RetryWithBackoffSettings _settings;
    private readonly IObserver<T> _downstream;

    // Holds either the live source subscription or the timer of the next retry; replacing it disposes the old one,
    // and anything assigned after Dispose is disposed at once.
    private readonly SerialDisposable _current = new();
    private int _retries;
    private volatile bool _disposed;

    public RetryWithBackoffSink(IObservable<T> source, RetryWithBackoffSettings settings, IObserver<T> downstream)
    {
        _source = source;
        _settings = settings;
        _downstream = downstream;
    }

    public IDisposable Run()
    {
        SubscribeToSource();
        return this;
    }

    public void OnNext(T value)
    {
        if (!_disposed)
        {
            _downstream.OnNext(value);
        }
    }

    public void OnCompleted()
    {
        if (!_disposed)
        {
            _downstream.OnCompleted();
        }
    }

    // Called only by the current source subscription, after which that subscription sends nothing more,
    // so downstream calls stay serialized without a lock.
    public void OnError(Exception error)
    {
        if (_disposed)
        {
            return;
        }

        RetryAttempt attempt;
        try
        {
            if (_retries >= _settings.Policy.MaxRetries || !_settings.IsRetryable(error))
            {
                _downstream.OnError(error);
                return;
            }

            var number = _retries + 1;
            var delay = BackoffCalculator.ComputeDelay(_settings.Policy, number, _settings.RetryAfter(error), _settings.Random());
            attempt = new RetryAttempt(number, delay, error, _settings.Scheduler.Now + delay);
            _settings.OnRetry?.Invoke(attempt);
            _retries = number;
        }
        catch (Exception callbackError)
        {
            _downstream.OnError(callbackError);
            return;
        }

        _current.Disposable = _settings.Scheduler.Schedule(
            this,
            attempt.Delay,
            static (_, self) =>
            {
                self.SubscribeToSource();
                return Disposable.Empty;
            });
    }

    public void Dispose()
    {
        _disposed = true;
        _current.Dispose();
    }

    private void SubscribeToSource()
    {
        if (_disposed)
        {
            return;
        }

        // Publish the holder before subscribing: a source failing synchronously inside Subscribe replaces it with
        // the retry timer, and the then-disposed holder disposes the late subscription instead of the timer.
        var subscription = new SingleAssignmentDisposable();
        _current.Disposable = subscription;
        subscription.Disposable = _source.SubscribeSafe(this);
    }
}
