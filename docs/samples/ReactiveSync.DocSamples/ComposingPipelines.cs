using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Reactive;

namespace ReactiveSync.DocSamples;

/// <summary>The samples of docs/composing-pipelines.md; each one is a marble test of what the page says.</summary>
public class ComposingPipelinesSamples : ReactiveTest
{
    [Test]
    public void RetryWithBackoff_TwoNetworkFailures_SucceedsAfterOneThenTwoSeconds()
    {
        // #region retry
        var scheduler = new TestScheduler();
        var attempts = 0;
        IObservable<string> upload = Observable.Defer(() => ++attempts < 3
            ? Observable.Throw<string>(new SyncException(SyncError.Of(SyncErrorType.Network, "connection reset")))
            : Observable.Return("uploaded"));

        var policy = new BackoffPolicy(
            initialDelay: TimeSpan.FromSeconds(1), multiplier: 2, maxDelay: TimeSpan.FromMinutes(5), maxRetries: 3);
        var retries = new List<RetryAttempt>();

        var result = scheduler.CreateObserver<string>();
        using var subscription = upload
            .RetryWithBackoff(
                policy,
                isRetryable: error => error is SyncException { Error.IsRetryable: true },
                retryAfter: null,   // null: the Retry-After of a SyncException
                random: null,       // null: Random.Shared (this policy has no jitter anyway)
                onRetry: retries.Add,
                scheduler)
            .Subscribe(result);    // at virtual time 0
        scheduler.AdvanceBy(TimeSpan.FromMinutes(1).Ticks);

        // Fails at 0 s, retries after 1 s, fails again, retries after 2 more seconds and succeeds at 3 s.
        result.Messages.AssertEqual(
            OnNext(TimeSpan.FromSeconds(3).Ticks, "uploaded"),
            OnCompleted<string>(TimeSpan.FromSeconds(3).Ticks));
        Assert.That(retries.Select(r => r.Delay), Is.EqualTo(new[] { TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2) }));
        // #endregion
    }

    [Test]
    public void BackoffCalculator_ConfigurationDefaults_DoublesUpToTheCapWithJitterAfterIt()
    {
        // #region backoff-policy
        var policy = BackoffPolicy.FromConfiguration(SyncConfiguration.Default); // 1 s, x2, cap 5 min, 3 retries, jitter 0.1

        // randomUnit 0.5 is the middle of the jitter range: the un-jittered delay.
        Assert.That(BackoffCalculator.ComputeDelay(policy, attempt: 3, retryAfter: null, randomUnit: 0.5), Is.EqualTo(TimeSpan.FromSeconds(4)));
        // Jitter comes after the cap, so capped retries of many clients still spread out: 5 min +- 10 %.
        Assert.That(BackoffCalculator.ComputeDelay(policy, attempt: 20, retryAfter: null, randomUnit: 0.0), Is.EqualTo(TimeSpan.FromMinutes(4.5)));
        // A server's Retry-After is a floor, itself capped at MaxRetryAfter (here MaxRetryDelay, 5 min).
        Assert.That(BackoffCalculator.ComputeDelay(policy, attempt: 1, retryAfter: TimeSpan.FromSeconds(30), randomUnit: 0.5), Is.EqualTo(TimeSpan.FromSeconds(30)));
        // #endregion
    }

    [Test]
    public void Pausable_GateClosedWhileTriggersCome_KeepsOnlyTheLatestUntilItOpens()
    {
        // #region pausable
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(
            OnNext(210, "a"), OnNext(220, "b"), OnNext(240, "c"), OnNext(260, "d"));
        var online = scheduler.CreateHotObservable(
            OnNext(205, true), OnNext(215, false), OnNext(250, true));

        var result = scheduler.Start(() => triggers.Pausable(online));

        // b and c came while closed: only c, the latest, is kept, and it goes out the moment the gate opens.
        result.Messages.AssertEqual(OnNext(210, "a"), OnNext(250, "c"), OnNext(260, "d"));
        // #endregion
    }

    [Test]
    public void SelectExclusive_TriggersDuringARun_CoalesceIntoOneMoreRun()
    {
        // #region select-exclusive
        var scheduler = new TestScheduler();
        var triggers = scheduler.CreateHotObservable(
            OnNext(210, "a"), OnNext(215, "b"), OnNext(220, "c"), OnNext(300, "d"));

        // A run that takes 20 ticks of virtual time and answers what started it.
        Task<string> Drain(string trigger, CancellationToken cancellationToken)
        {
            var started = scheduler.Clock;
            var done = new TaskCompletionSource<string>();
            scheduler.Schedule(TimeSpan.FromTicks(20), () => done.SetResult($"{trigger}@{started}"));
            return done.Task;
        }

        var result = scheduler.Start(() => triggers.SelectExclusive<string, string>(Drain));

        // b and c came during the run for a: one more run, for the latest (c), starts when a's run ends.
        result.Messages.AssertEqual(OnNext(230, "a@210"), OnNext(250, "c@230"), OnNext(320, "d@300"));
        // #endregion
    }

    [Test]
    public void DebounceUnless_UrgentValues_PassAtOnceAndDropTheWaitingOne()
    {
        // #region debounce-unless
        var scheduler = new TestScheduler();
        var queued = scheduler.CreateHotObservable(
            OnNext(210, SyncPriority.Medium), OnNext(220, SyncPriority.Low),     // a burst: debounced
            OnNext(300, SyncPriority.Medium), OnNext(310, SyncPriority.High),    // High passes at once
            OnNext(400, SyncPriority.Low), OnCompleted<SyncPriority>(420));      // completion flushes

        var result = scheduler.Start(() => queued.DebounceUnless(
            TimeSpan.FromTicks(50), passImmediately: priority => priority >= SyncPriority.High, scheduler));

        result.Messages.AssertEqual(
            OnNext(270, SyncPriority.Low),      // 50 ticks after the last value of the burst
            OnNext(310, SyncPriority.High),     // at once; the Medium waiting since 300 is dropped
            OnNext(420, SyncPriority.Low),      // the waiting value goes out on completion
            OnCompleted<SyncPriority>(420));
        // #endregion
    }

    [Test]
    public void ThrottleLatest_Progress_FirstAtOnceThenLatestPerIntervalAndTheLast()
    {
        // #region throttle-latest
        var scheduler = new TestScheduler();
        var progress = scheduler.CreateHotObservable(
            OnNext(210, 0), OnNext(220, 10), OnNext(230, 20), OnNext(330, 30), OnNext(340, 40),
            OnCompleted<int>(350));

        var result = scheduler.Start(() => progress.ThrottleLatest(TimeSpan.FromTicks(100), scheduler));

        result.Messages.AssertEqual(
            OnNext(210, 0),     // the first at once
            OnNext(310, 20),    // the latest of the interval 210-310 (10 is skipped)
            OnNext(350, 40),    // 30 was replaced by 40, which goes out on completion
            OnCompleted<int>(350));
        // #endregion
    }

    [Test]
    public void ComposedPipeline_TriggersWhileOffline_OneDrainWhenOnlineForTheLatest()
    {
        // #region composed
        var scheduler = new TestScheduler();
        var online = new BehaviorSubject<bool>(false);
        var manual = new Subject<string>();
        var queued = new Subject<SyncPriority>();
        var drains = new List<(string Trigger, TimeSpan At)>();

        Task<int> DrainAsync(string trigger, CancellationToken cancellationToken)
        {
            drains.Add((trigger, TimeSpan.FromTicks(scheduler.Clock)));
            return Task.FromResult(drains.Count); // a real drain pushes the queue here
        }

        using var pipeline = Observable
            .Merge(
                manual,
                queued.DebounceUnless(TimeSpan.FromSeconds(0.5), p => p >= SyncPriority.High, scheduler)
                    .Select(p => $"queued {p}"))
            .Pausable(online)                            // held while offline, the latest only
            .SelectExclusive<string, int>(DrainAsync)    // one drain at a time, one more if asked meanwhile
            .Subscribe();

        queued.OnNext(SyncPriority.Medium);              // offline: debounced for 0.5 s, then held by the gate
        scheduler.AdvanceBy(TimeSpan.FromSeconds(1).Ticks);
        manual.OnNext("manual");                         // offline: replaces the held trigger
        online.OnNext(true);                             // the gate opens: one drain, for the latest trigger
        queued.OnNext(SyncPriority.Critical);            // online and urgent: drains at once

        Assert.That(drains, Is.EqualTo(new[]
        {
            ("manual", TimeSpan.FromSeconds(1)),
            ("queued Critical", TimeSpan.FromSeconds(1)),
        }));
        // #endregion
    }
}
