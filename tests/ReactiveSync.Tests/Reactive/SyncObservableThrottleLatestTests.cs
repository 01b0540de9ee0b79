using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Reactive.Testing;
using ReactiveSync.Reactive;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Reactive;

public class SyncObservableThrottleLatestTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromTicks(50);

    [Test]
    public void ThrottleLatest_Burst_FirstAtOnceThenTheLatestPerInterval()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1), OnNext(220, 2), OnNext(230, 3), OnNext(270, 4), OnNext(300, 5), OnNext(400, 6), OnCompleted<int>(500));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(260, 3),
            OnNext(310, 5),
            OnNext(400, 6),
            OnCompleted<int>(500));
        xs.Subscriptions.AssertEqual(Subscribe(200, 500));
    }

    [Test]
    public void ThrottleLatest_CompletesWithAHeldValue_EmitsItAtOnceThenCompletes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(225, 3), OnCompleted<int>(230));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(OnNext(210, 1), OnNext(230, 3), OnCompleted<int>(230));
    }

    [Test]
    public void ThrottleLatest_CompletesWithNothingHeld_CompletesAtOnce()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnCompleted<int>(220));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(OnNext(210, 1), OnCompleted<int>(220));
    }

    [Test]
    public void ThrottleLatest_FailsWithAHeldValue_FailsAtOnceAndDropsIt()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("download failed");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnError<int>(230, error));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(OnNext(210, 1), OnError<int>(230, error));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Test]
    public void ThrottleLatest_DisposedDuringAnInterval_EmitsNothingMore()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnNext(300, 3));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler), created: 100, subscribed: 200, disposed: 240);

        res.Messages.AssertEqual(OnNext(210, 1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 240));
    }

    [Test]
    public void ThrottleLatest_ProgressEveryTick_EmitsAboutOncePerIntervalAndAlwaysTheLast()
    {
        var scheduler = new TestScheduler();
        var progress = Enumerable.Range(0, 1001).Select(percentTenths => OnNext(201 + percentTenths, percentTenths)).ToList();
        progress.Add(OnCompleted<int>(1201));
        var xs = scheduler.CreateHotObservable(progress.ToArray());

        var res = scheduler.Start(() => xs.ThrottleLatest(TimeSpan.FromTicks(100), scheduler), created: 100, subscribed: 200, disposed: 5000);

        var values = res.Messages.Where(m => m.Value.HasValue).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(values[0].Value.Value, Is.EqualTo(0));
            Assert.That(values[^1].Value.Value, Is.EqualTo(1000), "the final value is delivered");
            Assert.That(values, Has.Count.InRange(10, 12));
            Assert.That(values.Zip(values.Skip(1)).All(pair => pair.Second.Time - pair.First.Time >= 100), Is.True,
                "at most one value per interval");
            Assert.That(values.Select(v => v.Value.Value), Is.Ordered.Ascending.And.Unique);
            Assert.That(res.Messages[^1].Value.Kind, Is.EqualTo(System.Reactive.NotificationKind.OnCompleted));
        });
    }

    [Test]
    public async Task ThrottleLatest_ValuesFromATimerThreadAndTheSource_AreSerialized()
    {
        var source = new Subject<int>();
        var observer = new ContractObserver<int>();
        using var subscription = source.ThrottleLatest(TimeSpan.FromTicks(1)).Subscribe(observer);

        await Task.Run(() =>
        {
            for (var i = 1; i <= 50_000; i++)
            {
                source.OnNext(i);
            }

            source.OnCompleted();
        }).WaitAsync(TimeSpan.FromSeconds(30));
        await observer.WaitForTerminationAsync(TimeSpan.FromSeconds(30));

        observer.AssertContract();
        Assert.That(observer.Values[^1], Is.EqualTo(50_000));
        Assert.That(observer.Values, Is.Ordered.Ascending.And.Unique);
    }

    [Test]
    public void ThrottleLatest_InvalidArguments_ThrowBeforeSubscribing()
    {
        var source = Observable.Never<int>();
        Assert.Multiple(() =>
        {
            Assert.That(() => ((IObservable<int>)null!).ThrottleLatest(Interval, Scheduler.Default),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("source"));
            Assert.That(() => source.ThrottleLatest(TimeSpan.Zero, Scheduler.Default),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("interval"));
            Assert.That(() => source.ThrottleLatest(Interval, null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("scheduler"));
        });
    }
}
