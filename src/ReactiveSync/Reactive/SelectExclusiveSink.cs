using System.Reactive.Disposables;

namespace ReactiveSync.Reactive;

/// <summary>One subscription of <see cref="SyncObservable.SelectExclusive{TTrigger, TResult}(IObservable{TTrigger}, Func{TTrigger, CancellationToken, Task{TResult}})"/>.</summary>
internal sealed class SelectExclusiveSink<TTrigger, TResult> : IObserver<TTrigger>, IDisposable
{
    private readonly Func<TTrigger, CancellationToken, Task<TResult>> _run;
    private readonly IObserver<TResult> _downstream;
    private readonly Lock _lock = new();
    private readonly SingleAssignmentDisposable _subscription = new();

    // Never disposed: a run may still hold its token after we are gone; a source without a timer needs no disposal.
    private readonly CancellationTokenSource _cancellation = new();
    private bool _running;
    private bool _hasPending;
    private TTrigger? _pending;
    private bool _triggersCompleted;
    private bool _done;

    public SelectExclusiveSink(Func<TTrigger, CancellationToken, Task<TResult>> run, IObserver<TResult> downstream)
    {
        _run = run;
        _downstream = downstream;
    }

    public IDisposable Run(IObservable<TTrigger> triggers)
    {
        _subscription.Disposable = triggers.SubscribeSafe(this);
        return this;
    }

    public void OnNext(TTrigger value)
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            if (_running)
            {
                _pending = value;
                _hasPending = true;
                return;
            }

            _running = true;
        }

        // Never faults: run failures are caught inside and go downstream as OnError.
        _ = RunLoopAsync(value, finished: null);
    }

    public void OnError(Exception error)
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _done = true;
            _pending = default;
            _downstream.OnError(error);
        }

        Dispose();
    }

    public void OnCompleted()
    {
        lock (_lock)
        {
            if (_done)
            {
                return;
            }

            _triggersCompleted = true;
            if (!_running)
            {
                _done = true;
                _downstream.OnCompleted();
            }

            // else the run loop completes after the last run
        }

        _subscription.Dispose();
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _done = true;
            _pending = default;
        }

        _subscription.Dispose();

        // CancelAsync flags the token at once but runs the run's cancellation callbacks elsewhere, so Dispose neither blocks on them nor throws.
        _ = _cancellation.CancelAsync();
    }

    // Runs until no follow-up is due. An unfinished run parks the loop on a continuation that resumes it on the thread that
    // finishes the run (ExecuteSynchronously on the default scheduler inlines even where a SynchronizationContext would stop an
    // await from inlining), so a result goes downstream the moment its run ends: exact under virtual time, and never recursive.
    private async Task RunLoopAsync(TTrigger trigger, Task<TResult>? finished)
    {
        while (true)
        {
            if (finished is null)
            {
                try
                {
                    finished = _run(trigger, _cancellation.Token)
                        ?? throw new InvalidOperationException("The run function returned null instead of a task.");
                }
                catch (Exception error)
                {
                    Fail(error);
                    return;
                }

                if (!finished.IsCompleted)
                {
                    _ = finished.ContinueWith(
                        static (task, state) => _ = ((SelectExclusiveSink<TTrigger, TResult>)state!).RunLoopAsync(default!, task),
                        this,
                        CancellationToken.None,
                        TaskContinuationOptions.ExecuteSynchronously,
                        TaskScheduler.Default);
                    return;
                }
            }

            TResult result;
            try
            {
                result = await finished.ConfigureAwait(false); // finished: completes synchronously, unwrapping a failure
            }
            catch (Exception error)
            {
                Fail(error);
                return;
            }

            finished = null;
            lock (_lock)
            {
                if (_done)
                {
                    return;
                }

                _downstream.OnNext(result);
                if (_done)
                {
                    return; // disposed from within OnNext
                }

                if (_hasPending)
                {
                    trigger = _pending!;
                    _pending = default;
                    _hasPending = false;
                }
                else
                {
                    _running = false;
                    if (!_triggersCompleted)
                    {
                        return;
                    }

                    _done = true;
                    _downstream.OnCompleted();
                    return;
                }
            }
        }
    }

    private void Fail(Exception error)
    {
        lock (_lock)
        {
            if (_done)
            {
                return; // a run cancelled by our disposal ends quietly
            }

            _done = true;
            _pending = default;
            _downstream.OnError(error);
        }

        _subscription.Dispose();
    }
}
