using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Reactive.Threading.Tasks;
using Microsoft.Reactive.Testing;
using ReactiveSync.Model;
using ReactiveSync.Reactive;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Reactive;

public class SyncObservableRetryWithBackoffTests
{
    // Delays in virtual ticks: 10, 20, 40, then capped at 40.
    private static readonly BackoffPolicy Policy = new(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), maxRetries: 3);

    private static readonly Exception Retryable = new SyncException(SyncError.Of(SyncErrorType.Network, "offline"));
    private static readonly Exception Fatal = new SyncException(SyncError.Of(SyncErrorType.Validation, "bad"));

    private static bool IsRetryable(Exception error) => error is SyncException { Error.IsRetryable: true };

    private static double Half() => 0.5;

    [Test]
    public void RetryWithBackoff_SourceKeepsFailing_RetriesAfterExactDelaysThenFails()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnError<int>(20, Retryable));
        var attempts = new List<RetryAttempt>();

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, IsRetryable, null, Half, attempts.Add, scheduler));

        res.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(240, 1),
            OnNext(280, 1),
            OnNext(340, 1),
            OnError<int>(350, Retryable));
        xs.Subscriptions.AssertEqual(
            Subscribe(200, 220),
            Subscribe(230, 250),
            Subscribe(270, 290),
            Subscribe(330, 350));
        Assert.That(attempts, Is.EqualTo(new[]
        {
            new RetryAttempt(1, TimeSpan.FromTicks(10), Retryable, new DateTimeOffset(230, TimeSpan.Zero)),
            new RetryAttempt(2, TimeSpan.FromTicks(20), Retryable, new DateTimeOffset(270, TimeSpan.Zero)),
            new RetryAttempt(3, TimeSpan.FromTicks(40), Retryable, new DateTimeOffset(330, TimeSpan.Zero)),
        }));
    }

    [Test]
    public void RetryWithBackoff_DelayAboveTheCap_WaitsMaxDelay()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(5, Retryable));
        var policy = new BackoffPolicy(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), maxRetries: 5);

        var res = scheduler.Start(() => xs.RetryWithBackoff(policy, IsRetryable, null, Half, null, scheduler));

        // 205 +10, 220 +20, 245 +40, 290 +40 (capped), 335 +40 (capped), 380 gives up.
        xs.Subscriptions.AssertEqual(
            Subscribe(200, 205),
            Subscribe(215, 220),
            Subscribe(240, 245),
            Subscribe(285, 290),
            Subscribe(330, 335),
            Subscribe(375, 380));
        res.Messages.AssertEqual(OnError<int>(380, Retryable));
    }

    [Test]
    public void RetryWithBackoff_FailureThenSuccess_ForwardsValuesOfBothAndCompletes()
    {
        var scheduler = new TestScheduler();
        var failing = scheduler.CreateColdObservable(OnNext(10, 1), OnError<int>(20, Retryable));
        var succeeding = scheduler.CreateColdObservable(OnNext(5, 2), OnNext(10, 3), OnCompleted<int>(15));
        var subscriptions = 0;
        var source = Observable.Defer(() => subscriptions++ == 0 ? failing : succeeding);

        var res = scheduler.Start(() => source.RetryWithBackoff(Policy, IsRetryable, null, Half, null, scheduler));

        res.Messages.AssertEqual(
            OnNext(210, 1),
            OnNext(235, 2),
            OnNext(240, 3),
            OnCompleted<int>(245));
        failing.Subscriptions.AssertEqual(Subscribe(200, 220));
        succeeding.Subscriptions.AssertEqual(Subscribe(230, 245));
    }

    [Test]
    public void RetryWithBackoff_SourceCompletes_CompletesWithoutRetrying()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnCompleted<int>(20));

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, IsRetryable, scheduler));

        res.Messages.AssertEqual(OnNext(210, 1), OnCompleted<int>(220));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void RetryWithBackoff_NonRetryableError_FailsAtOnce()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnError<int>(20, Fatal));
        var attempts = new List<RetryAttempt>();

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, IsRetryable, null, Half, attempts.Add, scheduler));

        res.Messages.AssertEqual(OnNext(210, 1), OnError<int>(220, Fatal));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
        Assert.That(attempts, Is.Empty);
    }

    [Test]
    public void RetryWithBackoff_MaxRetriesZero_FailsAtOnce()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(20, Retryable));
        var policy = new BackoffPolicy(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), maxRetries: 0);

        var res = scheduler.Start(() => xs.RetryWithBackoff(policy, IsRetryable, scheduler));

        res.Messages.AssertEqual(OnError<int>(220, Retryable));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void RetryWithBackoff_SyncExceptionWithRetryAfter_WaitsTheHint()
    {
        var scheduler = new TestScheduler();
        var throttled = new SyncException(SyncError.Of(SyncErrorType.Network, "429", retryAfter: TimeSpan.FromTicks(35)));
        var xs = scheduler.CreateColdObservable(OnError<int>(20, throttled));
        var policy = new BackoffPolicy(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), maxRetries: 1);

        var res = scheduler.Start(() => xs.RetryWithBackoff(policy, IsRetryable, scheduler));

        xs.Subscriptions.AssertEqual(Subscribe(200, 220), Subscribe(255, 275));
        res.Messages.AssertEqual(OnError<int>(275, throttled));
    }

    [Test]
    public void RetryWithBackoff_RetryAfterAboveTheCap_WaitsMaxRetryAfter()
    {
        var scheduler = new TestScheduler();
        var throttled = new SyncException(SyncError.Of(SyncErrorType.Network, "503", retryAfter: TimeSpan.FromTicks(1000)));
        var xs = scheduler.CreateColdObservable(OnError<int>(20, throttled));
        var policy = new BackoffPolicy(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), maxRetries: 1);

        var res = scheduler.Start(() => xs.RetryWithBackoff(policy, IsRetryable, scheduler));

        xs.Subscriptions.AssertEqual(Subscribe(200, 220), Subscribe(260, 280));
        res.Messages.AssertEqual(OnError<int>(280, throttled));
    }

    [Test]
    public void RetryWithBackoff_CustomRetryAfterReader_IsUsed()
    {
        var scheduler = new TestScheduler();
        var error = new TimeoutException("slow");
        var xs = scheduler.CreateColdObservable(OnError<int>(20, error));
        var policy = new BackoffPolicy(TimeSpan.FromTicks(10), 2, TimeSpan.FromTicks(40), maxRetries: 1);

        var res = scheduler.Start(() => xs.RetryWithBackoff(
            policy, e => e is TimeoutException, e => TimeSpan.FromTicks(25), Half, null, scheduler));

        xs.Subscriptions.AssertEqual(Subscribe(200, 220), Subscribe(245, 265));
        res.Messages.AssertEqual(OnError<int>(265, error));
    }

    [Test]
    public void RetryWithBackoff_InjectedRandom_SpreadsTheDelay()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(20, Retryable));
        var policy = new BackoffPolicy(TimeSpan.FromTicks(100), 2, TimeSpan.FromTicks(400), maxRetries: 2, jitter: 0.5);
        var randoms = new Queue<double>([0.0, 0.9999999]);

        var res = scheduler.Start(
            () => xs.RetryWithBackoff(policy, IsRetryable, null, randoms.Dequeue, null, scheduler),
            created: 100, subscribed: 200, disposed: 2000);

        // 100 * 0.5 = 50, then 200 * 1.5 = 300.
        xs.Subscriptions.AssertEqual(Subscribe(200, 220), Subscribe(270, 290), Subscribe(590, 610));
        res.Messages.AssertEqual(OnError<int>(610, Retryable));
    }

    [Test]
    public void RetryWithBackoff_DisposedDuringTheWait_CancelsTheRetry()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnError<int>(20, Retryable));
        var attempts = new List<RetryAttempt>();

        var res = scheduler.Start(
            () => xs.RetryWithBackoff(Policy, IsRetryable, null, Half, attempts.Add, scheduler),
            created: 100, subscribed: 200, disposed: 225);

        res.Messages.AssertEqual(OnNext(210, 1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
        Assert.That(attempts, Has.Count.EqualTo(1));
        Assert.That(scheduler.Clock, Is.EqualTo(225), "the cancelled timer left nothing on the scheduler");
    }

    [Test]
    public void RetryWithBackoff_DisposedWhileSubscribed_UnsubscribesAndSendsNothingMore()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnNext(10, 1), OnError<int>(20, Retryable));

        var res = scheduler.Start(
            () => xs.RetryWithBackoff(Policy, IsRetryable, null, Half, null, scheduler),
            created: 100, subscribed: 200, disposed: 240);

        res.Messages.AssertEqual(OnNext(210, 1));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220), Subscribe(230, 240));
    }

    [Test]
    public void RetryWithBackoff_OnRetryThrows_FailsWithItsExceptionAndDoesNotRetry()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(20, Retryable));
        var callbackError = new InvalidOperationException("status view broke");

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, IsRetryable, null, Half, _ => throw callbackError, scheduler));

        res.Messages.AssertEqual(OnError<int>(220, callbackError));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void RetryWithBackoff_PredicateThrows_FailsWithItsException()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(20, Retryable));
        var predicateError = new InvalidOperationException("predicate");

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, _ => throw predicateError, scheduler));

        res.Messages.AssertEqual(OnError<int>(220, predicateError));
    }

    [Test]
    public void RetryWithBackoff_RetryAfterReaderThrows_FailsWithItsException()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(20, Retryable));
        var readerError = new FormatException("header");

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, IsRetryable, _ => throw readerError, Half, null, scheduler));

        res.Messages.AssertEqual(OnError<int>(220, readerError));
    }

    [Test]
    public void RetryWithBackoff_RandomOutOfRange_FailsWithArgumentOutOfRange()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateColdObservable(OnError<int>(20, Retryable));

        var res = scheduler.Start(() => xs.RetryWithBackoff(Policy, IsRetryable, null, () => 2.0, null, scheduler));

        Assert.That(res.Messages, Has.Count.EqualTo(1));
        Assert.That(res.Messages[0].Time, Is.EqualTo(220));
        Assert.That(res.Messages[0].Value.Exception, Is.TypeOf<ArgumentOutOfRangeException>());
    }

    [Test]
    public void RetryWithBackoff_SourceFailingSynchronouslyManyTimes_RetriesWithoutRecursion()
    {
        var scheduler = new TestScheduler();
        var policy = new BackoffPolicy(TimeSpan.Zero, 1, TimeSpan.Zero, maxRetries: 20_000);
        var subscriptions = 0;
        var source = Observable.Defer(() =>
        {
            subscriptions++;
            return Observable.Throw<int>(Retryable);
        });

        var res = scheduler.Start(
            () => source.RetryWithBackoff(policy, IsRetryable, scheduler),
            created: 100, subscribed: 200, disposed: 100_000);

        // TestScheduler runs a zero-delay timer one tick later, so retry n subscribes at 200 + n.
        Assert.That(subscriptions, Is.EqualTo(20_001));
        res.Messages.AssertEqual(OnError<int>(20_200, Retryable));
    }

    [Test]
    public void RetryWithBackoff_DefaultScheduler_RetriesUntilItGivesUp()
    {
        var policy = new BackoffPolicy(TimeSpan.FromMilliseconds(1), 1, TimeSpan.FromMilliseconds(1), maxRetries: 3);
        var subscriptions = 0;
        var source = Observable.Defer(() =>
        {
            Interlocked.Increment(ref subscriptions);
            return Observable.Throw<int>(Retryable);
        });

        var task = source.RetryWithBackoff(policy, IsRetryable).ToTask();

        Assert.That(async () => await task.WaitAsync(TimeSpan.FromSeconds(30)), Throws.Exception.SameAs(Retryable));
        Assert.That(subscriptions, Is.EqualTo(4));
    }

    [Test]
    public void RetryWithBackoff_NullArguments_ThrowBeforeSubscribing()
    {
        var source = Observable.Never<int>();
        Assert.Multiple(() =>
        {
            Assert.That(() => ((IObservable<int>)null!).RetryWithBackoff(Policy, IsRetryable, Scheduler.Default),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("source"));
            Assert.That(() => source.RetryWithBackoff(null!, IsRetryable, Scheduler.Default),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("policy"));
            Assert.That(() => source.RetryWithBackoff(Policy, null!, Scheduler.Default),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("isRetryable"));
            Assert.That(() => source.RetryWithBackoff(Policy, IsRetryable, null!),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("scheduler"));
        });
    }
}
