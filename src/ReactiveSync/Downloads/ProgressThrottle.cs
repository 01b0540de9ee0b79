using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;

namespace ReactiveSync.Downloads;

/// <summary>
/// Throttle that keeps the latest: the first value goes out at once, then at most one per <c>interval</c>, always the
/// newest one held; a value held when the source completes goes out before the completion. Nothing newer is ever dropped
/// for an older one, so the last progress (100 %, Completed) is always seen.
/// </summary>
internal static class ProgressThrottle
{
    public static IObservable<T> ThrottleLatest<T>(this IObservable<T> source, TimeSpan interval, IScheduler scheduler)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(scheduler);
        ArgumentOutOfRangeException.ThrowIfLessThan(interval, TimeSpan.Zero);
        return Observable.Create<T>(observer =>
        {
            var gate = new Lock();
            var timer = new SerialDisposable();
            var windowOpen = false;
            var hasHeld = false;
            var held = default(T);
            var done = false;

            void OpenWindow()
            {
                windowOpen = true;
                timer.Disposable = scheduler.Schedule(interval, WindowEnds);
            }

            void WindowEnds()
            {
                lock (gate)
                {
                    if (done)
                    {
                        return;
                    }

                    if (hasHeld)
                    {
                        var value = held!;
                        hasHeld = false;
                        held = default;
                        observer.OnNext(value);
                        OpenWindow();
                    }
                    else
                    {
                        windowOpen = false;
                    }
                }
            }

            var subscription = source.Subscribe(
                value =>
                {
                    lock (gate)
                    {
                        if (done)
                        {
                            return;
                        }

                        if (windowOpen)
                        {
                            held = value;
                            hasHeld = true;
                            return;
                        }

                        observer.OnNext(value);
                        OpenWindow();
                    }
                },
                error =>
                {
                    lock (gate)
                    {
                        done = true;
                        timer.Dispose();
                        observer.OnError(error);
                    }
                },
                () =>
                {
                    lock (gate)
                    {
                        done = true;
                        timer.Dispose();
                        if (hasHeld)
                        {
                            observer.OnNext(held!);
                        }

                        observer.OnCompleted();
                    }
                });
            return new CompositeDisposable(subscription, timer);
        });
    }
}
