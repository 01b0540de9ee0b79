using Microsoft.Reactive.Testing;
using ReactiveSync.Reactive;

namespace ReactiveSync.Tests.Downloads;

public sealed class ProgressThrottleTests : ReactiveTest
{
    private static readonly TimeSpan Interval = TimeSpan.FromTicks(100);

    [Test]
    public void ThrottleLatest_Burst_FirstAtOnceThenLatestPerInterval()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, 1), OnNext(220, 2), OnNext(250, 3), OnNext(330, 4), OnNext(500, 5), OnNext(700, 6), OnCompleted<int>(900));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(310, 3),
            OnNext(410, 4),
            OnNext(510, 5),
            OnNext(700, 6),
            OnCompleted<int>(900));
        xs.Subscriptions.AssertEqual(Subscribe(200, 900));
    }

    [Test]
    public void ThrottleLatest_CompletesWhileHolding_EmitsHeldValueThenCompletes()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, 10), OnNext(220, 50), OnNext(230, 100), OnCompleted<int>(240));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(OnNext(210, 10), OnNext(240, 100), OnCompleted<int>(240));
    }

    [Test]
    public void ThrottleLatest_Error_PassesThroughDroppingHeld()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnError<int>(230, error));

        var res = scheduler.Start(() => xs.ThrottleLatest(Interval, scheduler));

        res.Messages.AssertEqual(OnNext(210, 1), OnError<int>(230, error));
    }

    [Test]
    public void ThrottleLatest_TenPerSecondOverOneSecondOfUpdates_EmitsAboutTen()
    {
        var scheduler = new TestScheduler();
        var updates = Enumerable.Range(1, 1000).Select(i => OnNext(200 + (i * TimeSpan.TicksPerMillisecond), i)).ToArray();
        var xs = scheduler.CreateHotObservable(updates);

        var res = scheduler.Start(() => xs.ThrottleLatest(TimeSpan.FromMilliseconds(100), scheduler), 0, 100, TimeSpan.FromSeconds(2).Ticks);

        Assert.Multiple(() =>
        {
            Assert.That(res.Messages, Has.Count.InRange(10, 11));
            Assert.That(res.Messages[^1].Value.Value, Is.EqualTo(1000), "the newest value is never dropped");
        });
    }
}
