using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using ReactiveSync.Reactive;

namespace ReactiveSync.Tests.Reactive;

/// <summary>Rx contract checks that every operator of <see cref="SyncObservable"/> must pass alike.</summary>
public class SyncObservableContractTests
{
    private static readonly BackoffPolicy Policy = new(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), 3);

    private static IEnumerable<TestCaseData> Operators()
    {
        yield return Case("RetryWithBackoff", s => s.RetryWithBackoff(Policy, _ => true, Scheduler.Default));
        yield return Case("Pausable", s => s.Pausable(Observable.Return(true).Concat(Observable.Never<bool>())));
        yield return Case("SelectExclusive", s => s.SelectExclusive((t, _) => Task.FromResult(t)));
        yield return Case("DebounceUnless", s => s.DebounceUnless(TimeSpan.FromHours(1), v => v > 0, Scheduler.Default));
        yield return Case("ThrottleLatest", s => s.ThrottleLatest(TimeSpan.FromHours(1), Scheduler.Default));

        static TestCaseData Case(string name, Func<IObservable<int>, IObservable<int>> apply) =>
            new TestCaseData(apply).SetArgDisplayNames(name);
    }

    [TestCaseSource(nameof(Operators))]
    public void Operator_DisposedTwice_NeverThrows(Func<IObservable<int>, IObservable<int>> apply)
    {
        var source = new Subject<int>();
        var subscription = apply(source).Subscribe(new ContractObserver<int>());

        subscription.Dispose();

        Assert.That(subscription.Dispose, Throws.Nothing);
        Assert.That(source.HasObservers, Is.False, "the source subscription was disposed");
    }

    [TestCaseSource(nameof(Operators))]
    public void Operator_SourceKeepsSendingAfterDisposal_NothingReachesTheObserver(Func<IObservable<int>, IObservable<int>> apply)
    {
        var source = new Subject<int>();
        var observer = new ContractObserver<int>();
        // A misbehaving source that ignores unsubscription.
        var deaf = Observable.Create<int>(o =>
        {
            source.Subscribe(o);
            return Disposable.Empty;
        });
        var subscription = apply(deaf).Subscribe(observer);
        source.OnNext(1);
        var before = observer.Values.Count;

        subscription.Dispose();
        source.OnNext(2);
        source.OnCompleted();

        Assert.That(observer.Values, Has.Count.EqualTo(before));
        Assert.That(observer.IsCompleted, Is.False);
        observer.AssertContract();
    }

    [TestCaseSource(nameof(Operators))]
    public void Operator_SourceCompletes_CompletesOnceAndUnsubscribes(Func<IObservable<int>, IObservable<int>> apply)
    {
        var source = new Subject<int>();
        var observer = new ContractObserver<int>();
        using var subscription = apply(source).Subscribe(observer);

        source.OnNext(1);
        source.OnCompleted();

        Assert.That(observer.IsCompleted, Is.True);
        Assert.That(observer.Values, Is.EqualTo(new[] { 1 }));
        observer.AssertContract();
    }
}
