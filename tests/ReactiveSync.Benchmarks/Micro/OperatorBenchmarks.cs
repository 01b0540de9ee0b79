using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using System.Reactive.Threading.Tasks;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ReactiveSync.Reactive;

namespace ReactiveSync.Benchmarks.Micro;

/// <summary>
/// The library's Rx operators against the plain Rx operator closest to each (the baseline of its category), per value:
/// each invocation pushes <see cref="Values"/> values through a fresh subscription. Time-based operators run on a
/// <see cref="HistoricalScheduler"/> (virtual time, part of System.Reactive), both sides alike, so a timer costs a queue
/// entry, not a wait.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class OperatorBenchmarks
{
    /// <summary>Values per invocation.</summary>
    public const int Values = 1_000;

    private const long DueTicks = 10;

    // A cold source that emits its values synchronously, like a replayed buffer.
    private static readonly IObservable<int> Source = Observable.Create<int>(observer =>
    {
        for (var i = 0; i < Values; i++)
        {
            observer.OnNext(i);
        }

        observer.OnCompleted();
        return Disposable.Empty;
    });

    private static readonly BackoffPolicy Policy = new(TimeSpan.FromSeconds(1), 2, TimeSpan.FromMinutes(1), 3);

    private readonly BehaviorSubject<bool> _open = new(true);

    [Benchmark(Baseline = true, OperationsPerInvoke = Values), BenchmarkCategory("RetryWithBackoff")]
    public Task<int> Rx_Retry() => Count(Source.Retry(3));

    [Benchmark(OperationsPerInvoke = Values), BenchmarkCategory("RetryWithBackoff")]
    public Task<int> RetryWithBackoff() => Count(Source.RetryWithBackoff(Policy, static _ => true, Scheduler.Immediate));

    [Benchmark(Baseline = true, OperationsPerInvoke = Values), BenchmarkCategory("Pausable")]
    public Task<int> Rx_WithLatestFrom_Where() =>
        Count(Source.WithLatestFrom(_open, static (value, open) => (value, open)).Where(static t => t.open).Select(static t => t.value));

    [Benchmark(OperationsPerInvoke = Values), BenchmarkCategory("Pausable")]
    public Task<int> Pausable() => Count(Source.Pausable(_open));

    [Benchmark(Baseline = true, OperationsPerInvoke = Values), BenchmarkCategory("SelectExclusive")]
    public Task<int> Rx_Select_FromAsync_Concat() =>
        Count(Source.Select(static value => Observable.FromAsync(_ => Task.FromResult(value))).Concat());

    [Benchmark(OperationsPerInvoke = Values), BenchmarkCategory("SelectExclusive")]
    public Task<int> SelectExclusive() => Count(Source.SelectExclusive(static (value, _) => Task.FromResult(value)));

    [Benchmark(Baseline = true, OperationsPerInvoke = Values), BenchmarkCategory("DebounceUnless")]
    public int Rx_Throttle() => Timed((source, scheduler) => source.Throttle(TimeSpan.FromTicks(DueTicks), scheduler));

    [Benchmark(OperationsPerInvoke = Values), BenchmarkCategory("DebounceUnless")]
    public int DebounceUnless() =>
        Timed((source, scheduler) => source.DebounceUnless(TimeSpan.FromTicks(DueTicks), static value => value % 10 == 0, scheduler));

    [Benchmark(Baseline = true, OperationsPerInvoke = Values), BenchmarkCategory("ThrottleLatest")]
    public int Rx_Sample() => Timed((source, scheduler) => source.Sample(TimeSpan.FromTicks(DueTicks), scheduler));

    [Benchmark(OperationsPerInvoke = Values), BenchmarkCategory("ThrottleLatest")]
    public int ThrottleLatest() => Timed((source, scheduler) => source.ThrottleLatest(TimeSpan.FromTicks(DueTicks), scheduler));

    private static Task<int> Count<T>(IObservable<T> source) => source.Count().ToTask();

    /// <summary>Bursts of five values, then twice the due time passes: each burst ends in one debounced or sampled value.</summary>
    private static int Timed(Func<IObservable<int>, IScheduler, IObservable<int>> apply)
    {
        var scheduler = new HistoricalScheduler();
        var subject = new Subject<int>();
        var count = 0;
        using var subscription = apply(subject, scheduler).Subscribe(_ => count++);
        for (var i = 0; i < Values; i++)
        {
            subject.OnNext(i);
            if (i % 5 == 4)
            {
                scheduler.AdvanceBy(TimeSpan.FromTicks(2 * DueTicks));
            }
        }

        subject.OnCompleted();
        scheduler.AdvanceBy(TimeSpan.FromTicks(2 * DueTicks));
        return count;
    }
}
