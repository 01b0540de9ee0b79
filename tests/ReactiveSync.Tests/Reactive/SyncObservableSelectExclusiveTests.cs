using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Reactive.Testing;
using ReactiveSync.Reactive;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Reactive;

public class SyncObservableSelectExclusiveTests
{
    /// <summary>Runs that finish <paramref name="duration"/> virtual ticks after they start, with the result "trigger@start".</summary>
    private sealed class TimedRuns(TestScheduler scheduler, long duration)
    {
        public List<(string Trigger, long Start)> Started { get; } = [];

        public List<CancellationToken> Tokens { get; } = [];

        public Task<string> Run(string trigger, CancellationToken cancellationToken)
        {
            var start = scheduler.Clock;
            Started.Add((trigger, start));
            Tokens.Add(cancellationToken);
            var completion = new TaskCompletionSource<string>();
            scheduler.Schedule(TimeSpan.FromTicks(duration), () => completion.SetResult($"{trigger}@{start}"));
            return completion.Task;
        }
    }

    [Test]
    public void SelectExclusive_TriggersWhileIdle_RunOncePerTriggerAndEmitResults()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(300, "b"), OnCompleted<string>(400));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run));

        res.Messages.AssertEqual(OnNext(230, "a@210"), OnNext(320, "b@300"), OnCompleted<string>(400));
        triggers.Subscriptions.AssertEqual(Subscribe(200, 400));
    }

    [Test]
    public void SelectExclusive_TriggersDuringARun_CoalesceIntoExactlyOneMoreRunWithTheLatest()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(
            OnNext(210, "a"), OnNext(215, "b"), OnNext(220, "c"), OnNext(225, "d"), OnNext(300, "e"));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run));

        res.Messages.AssertEqual(OnNext(230, "a@210"), OnNext(250, "d@230"), OnNext(320, "e@300"));
        Assert.That(runs.Started, Is.EqualTo(new[] { ("a", 210L), ("d", 230L), ("e", 300L) }));
    }

    [Test]
    public void SelectExclusive_TriggerDuringTheFollowUpRun_RunsOnceMoreAgain()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(220, "b"), OnNext(240, "c"));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run));

        res.Messages.AssertEqual(OnNext(230, "a@210"), OnNext(250, "b@230"), OnNext(270, "c@250"));
    }

    [Test]
    public void SelectExclusive_TriggersCompleteDuringARun_CompleteAfterTheRunAndItsFollowUp()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(215, "b"), OnCompleted<string>(220));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run));

        res.Messages.AssertEqual(OnNext(230, "a@210"), OnNext(250, "b@230"), OnCompleted<string>(250));
        triggers.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void SelectExclusive_TriggersCompleteWhileIdle_CompleteAtOnce()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnCompleted<string>(220));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run));

        res.Messages.AssertEqual(OnCompleted<string>(220));
        Assert.That(runs.Started, Is.Empty);
    }

    [Test]
    public void SelectExclusive_RunFaults_FailsWithItsExceptionAndUnsubscribes()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("push failed");
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(215, "b"), OnNext(300, "c"));
        var starts = new List<long>();

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>((_, _) =>
        {
            starts.Add(scheduler.Clock);
            var completion = new TaskCompletionSource<string>();
            scheduler.Schedule(TimeSpan.FromTicks(20), () => completion.SetException(error));
            return completion.Task;
        }));

        res.Messages.AssertEqual(OnError<string>(230, error));
        triggers.Subscriptions.AssertEqual(Subscribe(200, 230));
        Assert.That(starts, Is.EqualTo(new[] { 210L }), "no follow-up run after a failure");
    }

    [Test]
    public void SelectExclusive_RunThrowsSynchronously_FailsAtTheTrigger()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("bad");
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"));

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>((_, _) => throw error));

        res.Messages.AssertEqual(OnError<string>(210, error));
        triggers.Subscriptions.AssertEqual(Subscribe(200, 210));
    }

    [Test]
    public void SelectExclusive_RunReturnsNull_FailsWithInvalidOperation()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"));

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>((_, _) => null!));

        Assert.That(res.Messages, Has.Count.EqualTo(1));
        Assert.That(res.Messages[0].Time, Is.EqualTo(210));
        Assert.That(res.Messages[0].Value.Exception, Is.TypeOf<InvalidOperationException>());
    }

    [Test]
    public void SelectExclusive_RunCancelsItself_FailsWithOperationCanceled()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"));

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>((_, _) =>
        {
            var completion = new TaskCompletionSource<string>();
            scheduler.Schedule(TimeSpan.FromTicks(20), () => completion.SetCanceled());
            return completion.Task;
        }));

        Assert.That(res.Messages, Has.Count.EqualTo(1));
        Assert.That(res.Messages[0].Time, Is.EqualTo(230));
        Assert.That(res.Messages[0].Value.Exception, Is.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void SelectExclusive_TriggersFailDuringARun_FailAtOnceCancelTheRunAndDropItsResult()
    {
        var scheduler = new TestScheduler();
        var error = new InvalidOperationException("triggers");
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"), OnError<string>(220, error));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run));

        res.Messages.AssertEqual(OnError<string>(220, error));
        Assert.That(runs.Tokens.Single().IsCancellationRequested, Is.True);
    }

    [Test]
    public void SelectExclusive_DisposedDuringARun_CancelsItsTokenDropsItsResultAndStartsNoMore()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, "a"), OnNext(215, "b"), OnNext(300, "c"));
        var runs = new TimedRuns(scheduler, 20);

        var res = scheduler.Start(() => triggers.SelectExclusive<string, string>(runs.Run), created: 100, subscribed: 200, disposed: 220);

        res.Messages.AssertEqual();
        triggers.Subscriptions.AssertEqual(Subscribe(200, 220));
        Assert.That(runs.Started, Is.EqualTo(new[] { ("a", 210L) }));
        Assert.That(runs.Tokens.Single().IsCancellationRequested, Is.True);
    }

    [Test]
    public void SelectExclusive_DisposedTwice_DoesNotThrow()
    {
        var subscription = Observable.Never<int>().SelectExclusive(_ => Task.FromResult(1)).Subscribe();

        subscription.Dispose();
        Assert.That(subscription.Dispose, Throws.Nothing);
    }

    [Test]
    public void SelectExclusive_SynchronousRuns_RunOncePerTrigger()
    {
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(OnNext(210, 1), OnNext(220, 2), OnCompleted<int>(230));
        var count = 0;

        var res = scheduler.Start(() => triggers.SelectExclusive(_ => Task.FromResult(++count)));

        res.Messages.AssertEqual(OnNext(210, 1), OnNext(220, 2), OnCompleted<int>(230));
    }

    [Test]
    public void SelectExclusive_TriggerFromWithinOnNext_RunsOnceMoreWithoutRecursion()
    {
        var triggers = new Subject<int>();
        var results = new List<int>();
        var count = 0;
        using var subscription = triggers.SelectExclusive(_ => Task.FromResult(++count)).Subscribe(result =>
        {
            results.Add(result);
            if (result < 10_000)
            {
                triggers.OnNext(0); // a result that asks for another run, like a drain that found more work
            }
        });

        triggers.OnNext(0);

        Assert.That(results, Has.Count.EqualTo(10_000));
        Assert.That(results[^1], Is.EqualTo(10_000));
    }

    [Test]
    public async Task SelectExclusive_ManyTriggersFromManyThreadsDuringARun_RunExactlyOnceMore()
    {
        var triggers = new Subject<int>();
        var synchronized = Subject.Synchronize(triggers);
        var firstRun = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var runs = 0;
        var observer = new ContractObserver<int>();
        using var subscription = triggers.SelectExclusive(_ =>
            Interlocked.Increment(ref runs) == 1 ? firstRun.Task : Task.FromResult(2)).Subscribe(observer);

        synchronized.OnNext(0);
        var threads = Enumerable.Range(0, 8).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < 1_000; i++)
            {
                synchronized.OnNext(i);
            }
        }));
        await Task.WhenAll(threads).WaitAsync(TimeSpan.FromSeconds(30));
        Assert.That(Volatile.Read(ref runs), Is.EqualTo(1), "no second run while the first is going");

        synchronized.OnCompleted();
        firstRun.SetResult(1);
        await observer.WaitForTerminationAsync(TimeSpan.FromSeconds(30));

        observer.AssertContract();
        Assert.That(observer.Values, Is.EqualTo(new[] { 1, 2 }));
        Assert.That(runs, Is.EqualTo(2));
        Assert.That(observer.IsCompleted, Is.True);
    }

    [Test]
    public async Task SelectExclusive_ConcurrentTriggersAndAsyncRuns_NeverOverlapAndTheLastTriggerIsServed()
    {
        const int threadCount = 8;
        const int triggersPerThread = 2_000;
        var triggers = new Subject<int>();
        var synchronized = Subject.Synchronize(triggers);
        long triggersSent = 0;
        var active = 0;
        var maxActive = 0;
        var runs = 0;
        long lastSeenAtStart = 0;
        var observer = new ContractObserver<int>();

        using var subscription = triggers.SelectExclusive(async cancellationToken =>
        {
            var now = Interlocked.Increment(ref active);
            InterlockedMax(ref maxActive, now);
            Volatile.Write(ref lastSeenAtStart, Interlocked.Read(ref triggersSent));
            await Task.Yield();
            Thread.SpinWait(200);
            Interlocked.Decrement(ref active);
            return Interlocked.Increment(ref runs);
        }).Subscribe(observer);

        var threads = Enumerable.Range(0, threadCount).Select(_ => Task.Run(() =>
        {
            for (var i = 0; i < triggersPerThread; i++)
            {
                Interlocked.Increment(ref triggersSent);
                synchronized.OnNext(i);
            }
        }));
        await Task.WhenAll(threads).WaitAsync(TimeSpan.FromSeconds(60));
        synchronized.OnCompleted();
        await observer.WaitForTerminationAsync(TimeSpan.FromSeconds(60));

        observer.AssertContract();
        Assert.Multiple(() =>
        {
            Assert.That(observer.IsCompleted, Is.True, observer.Error?.ToString());
            Assert.That(maxActive, Is.EqualTo(1), "never two runs at once");
            Assert.That(lastSeenAtStart, Is.EqualTo(threadCount * triggersPerThread), "a run started after the last trigger");
            Assert.That(observer.Values, Is.EqualTo(Enumerable.Range(1, runs)), "every run's result, in order");
            Assert.That(runs, Is.LessThanOrEqualTo(threadCount * triggersPerThread));
        });
    }

    [Test]
    public void SelectExclusive_NullArguments_ThrowBeforeSubscribing()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => ((IObservable<int>)null!).SelectExclusive(_ => Task.FromResult(1)),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("triggers"));
            Assert.That(() => Observable.Never<int>().SelectExclusive((Func<CancellationToken, Task<int>>)null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("run"));
            Assert.That(() => Observable.Never<int>().SelectExclusive((Func<int, CancellationToken, Task<int>>)null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("run"));
        });
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
