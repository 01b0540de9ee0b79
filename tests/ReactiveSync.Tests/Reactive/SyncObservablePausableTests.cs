using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Reactive.Testing;
using ReactiveSync.Reactive;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Reactive;

public class SyncObservablePausableTests
{
    [Test]
    public void Pausable_GateOpensAndCloses_PassesWhileOpenAndEmitsTheLatestHeldValueOnOpening()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnNext(210, true), OnNext(250, false), OnNext(300, true));
        var xs = scheduler.CreateHotObservable(
            OnNext(205, 1), OnNext(220, 2), OnNext(230, 3), OnNext(260, 4), OnNext(270, 5), OnNext(280, 6),
            OnNext(310, 7), OnCompleted<int>(400));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(220, 2),
            OnNext(230, 3),
            OnNext(300, 6),
            OnNext(310, 7),
            OnCompleted<int>(400));
        xs.Subscriptions.AssertEqual(Subscribe(200, 400));
        gate.Subscriptions.AssertEqual(Subscribe(200, 400));
    }

    [Test]
    public void Pausable_GateNeverEmits_StartsClosedAndHoldsValues()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable<bool>();
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual();
        xs.Subscriptions.AssertEqual(Subscribe(200, 1000));
    }

    [Test]
    public void Pausable_RepeatedGateValues_ChangeNothing()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(
            OnNext(210, true), OnNext(215, true), OnNext(230, false), OnNext(235, false), OnNext(250, true), OnNext(255, true));
        var xs = scheduler.CreateHotObservable(OnNext(220, 1), OnNext(240, 2));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnNext(220, 1), OnNext(250, 2));
    }

    [Test]
    public void Pausable_SourceCompletesWhileClosedWithAHeldValue_EmitsItAndCompletesWhenTheGateOpens()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnNext(205, false), OnNext(300, true));
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(215, 2), OnCompleted<int>(220));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnNext(300, 2), OnCompleted<int>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
        gate.Subscriptions.AssertEqual(Subscribe(200, 300));
    }

    [Test]
    public void Pausable_SourceCompletesWhileClosedWithNothingHeld_CompletesAtOnce()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnNext(205, true), OnNext(210, false));
        var xs = scheduler.CreateHotObservable(OnNext(207, 1), OnCompleted<int>(220));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnNext(207, 1), OnCompleted<int>(220));
        gate.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void Pausable_GateCompletesWhileOpen_KeepsPassingValues()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnNext(205, true), OnCompleted<bool>(210));
        var xs = scheduler.CreateHotObservable(OnNext(220, 1), OnNext(230, 2), OnCompleted<int>(240));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnNext(220, 1), OnNext(230, 2), OnCompleted<int>(240));
        gate.Subscriptions.AssertEqual(Subscribe(200, 210));
    }

    [Test]
    public void Pausable_GateCompletesWhileClosed_CompletesAtOnceDroppingTheHeldValue()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnNext(205, false), OnCompleted<bool>(230));
        var xs = scheduler.CreateHotObservable(OnNext(220, 1), OnNext(240, 2));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnCompleted<int>(230));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
        gate.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Test]
    public void Pausable_GateCompletesBeforeEverEmitting_CompletesAtOnce()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnCompleted<bool>(230));
        var xs = scheduler.CreateHotObservable(OnNext(220, 1));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnCompleted<int>(230));
    }

    [Test]
    public void Pausable_SourceErrorWhileClosed_FailsAtOnceDroppingTheHeldValue()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("source");
        var gate = scheduler.CreateHotObservable(OnNext(205, false), OnNext(300, true));
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnError<int>(220, error));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnError<int>(220, error));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
        gate.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void Pausable_GateError_FailsAtOnceAndUnsubscribesBoth()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("gate");
        var gate = scheduler.CreateHotObservable(OnNext(205, true), OnError<bool>(230, error));
        var xs = scheduler.CreateHotObservable(OnNext(220, 1), OnNext(240, 2));

        var res = scheduler.Start(() => xs.Pausable(gate));

        res.Messages.AssertEqual(OnNext(220, 1), OnError<int>(230, error));
        xs.Subscriptions.AssertEqual(Subscribe(200, 230));
        gate.Subscriptions.AssertEqual(Subscribe(200, 230));
    }

    [Test]
    public void Pausable_DisposedWhileHolding_EmitsNothingWhenTheGateOpensLater()
    {
        var scheduler = new TestScheduler();
        var gate = scheduler.CreateHotObservable(OnNext(205, false), OnNext(300, true));
        var xs = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(310, 2));

        var res = scheduler.Start(() => xs.Pausable(gate), created: 100, subscribed: 200, disposed: 250);

        res.Messages.AssertEqual();
        xs.Subscriptions.AssertEqual(Subscribe(200, 250));
        gate.Subscriptions.AssertEqual(Subscribe(200, 250));
    }

    [Test]
    public void Pausable_GateReplaysOpenOnSubscribe_FirstValuePassesAtOnce()
    {
        var gate = new BehaviorSubject<bool>(true);
        var source = new Subject<int>();
        var observer = new ContractObserver<int>();

        using var subscription = source.Pausable(gate).Subscribe(observer);
        source.OnNext(1);

        Assert.That(observer.Values, Is.EqualTo(new[] { 1 }));
    }

    [Test]
    public void Pausable_NullArguments_ThrowBeforeSubscribing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ((IObservable<int>)null!).Pausable(Observable.Never<bool>()),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("source"));
            Assert.That(() => Observable.Never<int>().Pausable(null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("isOpen"));
        });
    }

    [Test]
    public async Task Pausable_GateAndSourceOnDifferentThreads_SerializesCallsAndLosesNoLastValue()
    {
        var gate = new Subject<bool>();
        var source = new Subject<int>();
        var observer = new ContractObserver<int>();
        using var subscription = source.Pausable(gate).Subscribe(observer);
        using var start = new Barrier(2);

        var toggler = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 0; i < 20_000; i++)
            {
                gate.OnNext(i % 2 == 0);
            }
        });
        var producer = Task.Run(() =>
        {
            start.SignalAndWait();
            for (var i = 1; i <= 20_000; i++)
            {
                source.OnNext(i);
            }
        });
        await Task.WhenAll(toggler, producer).WaitAsync(TimeSpan.FromSeconds(30));
        source.OnCompleted();
        gate.OnNext(true);
        await observer.WaitForTerminationAsync(TimeSpan.FromSeconds(30));

        observer.AssertContract();
        var values = observer.Values;
        Assert.Multiple(() =>
        {
            Assert.That(observer.IsCompleted, Is.True);
            Assert.That(values[^1], Is.EqualTo(20_000), "the latest value is never lost");
            Assert.That(values, Is.Ordered.Ascending.And.Unique);
        });
    }
}
