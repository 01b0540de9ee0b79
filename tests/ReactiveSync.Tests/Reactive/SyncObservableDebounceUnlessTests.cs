using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Reactive;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Reactive;

public class SyncObservableDebounceUnlessTests
{
    private static readonly TimeSpan Due = TimeSpan.FromTicks(20);

    private static bool IsUrgent(int value) => value >= 100;

    [Test]
    public void DebounceUnless_OrdinaryValues_AreDebounced()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(260, 3), OnCompleted<int>(300));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, IsUrgent, scheduler));

        res.Messages.AssertEqual(OnNext(240, 2), OnNext(280, 3), OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 300));
    }

    [Test]
    public void DebounceUnless_UrgentValue_PassesAtOnceAndDropsTheWaitingValue()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(215, 100), OnNext(220, 2), OnNext(270, 3));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, IsUrgent, scheduler));

        res.Messages.AssertEqual(OnNext(215, 100), OnNext(240, 2), OnNext(290, 3));
    }

    [Test]
    public void DebounceUnless_UrgentValuesInARow_AllPassAtOnce()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 100), OnNext(211, 101), OnNext(212, 102));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, IsUrgent, scheduler));

        res.Messages.AssertEqual(OnNext(210, 100), OnNext(211, 101), OnNext(212, 102));
    }

    [Test]
    public void DebounceUnless_QueuePriorities_HighAndCriticalAtOnceOthersDebounced()
    {
        var scheduler = new TestScheduler();
        var changes = scheduler.CreateHotObservable(
            OnNext(210, SyncPriority.Low),
            OnNext(215, SyncPriority.Medium),
            OnNext(250, SyncPriority.Critical),
            OnNext(260, SyncPriority.Medium),
            OnNext(265, SyncPriority.High));

        var res = scheduler.Start(() => changes.DebounceUnless(Due, p => p >= SyncPriority.High, scheduler));

        res.Messages.AssertEqual(
            OnNext(235, SyncPriority.Medium),
            OnNext(250, SyncPriority.Critical),
            OnNext(265, SyncPriority.High));
    }

    [Test]
    public void DebounceUnless_CompletesWithAWaitingValue_EmitsItThenCompletes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnCompleted<int>(215));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, IsUrgent, scheduler));

        res.Messages.AssertEqual(OnNext(215, 1), OnCompleted<int>(215));
    }

    [Test]
    public void DebounceUnless_FailsWithAWaitingValue_FailsAtOnceAndDropsIt()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("source");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnError<int>(215, error));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, IsUrgent, scheduler));

        res.Messages.AssertEqual(OnError<int>(215, error));
        xs.Subscriptions.AssertEqual(Subscribe(200, 215));
    }

    [Test]
    public void DebounceUnless_PredicateThrows_FailsWithItsExceptionAndUnsubscribes()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("predicate");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(250, 3));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, v => v == 2 ? throw error : false, scheduler));

        res.Messages.AssertEqual(OnError<int>(220, error));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void DebounceUnless_DisposedWhileAValueWaits_EmitsNothingMore()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(240, 100));

        var res = scheduler.Start(() => xs.DebounceUnless(Due, IsUrgent, scheduler), created: 100, subscribed: 200, disposed: 220);

        res.Messages.AssertEqual();
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void DebounceUnless_ZeroDueTime_EmitsOnTheNextSchedulerTurn()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2));

        var res = scheduler.Start(() => xs.DebounceUnless(TimeSpan.Zero, IsUrgent, scheduler));

        // TestScheduler runs a zero-delay timer one tick later.
        res.Messages.AssertEqual(OnNext(211, 1), OnNext(221, 2));
    }

    [Test]
    public void DebounceUnless_InvalidArguments_ThrowBeforeSubscribing()
    {
        var source = Observable.Never<int>();
        Assert.Multiple(() =>
        {
            Assert.That(() => ((IObservable<int>)null!).DebounceUnless(Due, IsUrgent, Scheduler.Default),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("source"));
            Assert.That(() => source.DebounceUnless(TimeSpan.FromTicks(-1), IsUrgent, Scheduler.Default),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("dueTime"));
            Assert.That(() => source.DebounceUnless(Due, null!, Scheduler.Default),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("passImmediately"));
            Assert.That(() => source.DebounceUnless(Due, IsUrgent, null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("scheduler"));
        });
    }

    [Test]
    public async Task DebounceUnless_DefaultScheduler_DebouncesAndFlushesOnCompletion()
    {
        var values = await new[] { 1, 2, 100, 3 }.ToObservable().DebounceUnless(TimeSpan.FromMinutes(1), IsUrgent).ToList()
            .ToTask().WaitAsync(TimeSpan.FromSeconds(30));

        Assert.That(values, Is.EqualTo(new[] { 100, 3 }));
    }

    [Test]
    public async Task DebounceUnless_TimerAndSourceOnDifferentThreads_AreSerializedAndKeepTheLastValue()
    {
        var source = new System.Reactive.Subjects.Subject<int>();
        var observer = new ContractObserver<int>();
        using var subscription = source.DebounceUnless(TimeSpan.FromTicks(1), v => v % 7 == 0).Subscribe(observer);

        await Task.Run(() =>
        {
            for (var i = 1; i <= 10_000; i++)
            {
                source.OnNext(i);
            }

            source.OnCompleted();
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await observer.WaitForTerminationAsync(TimeSpan.FromSeconds(30));

        observer.AssertContract();
        Assert.That(observer.Values[^1], Is.EqualTo(10_000));
        Assert.That(observer.Values, Is.Ordered.Ascending.And.Unique);
        Assert.That(observer.Values.Count(v => v % 7 == 0), Is.EqualTo(10_000 / 7), "every urgent value passes");
    }
}
