using ReactiveSync.Model;
using ReactiveSync.Reactive;

namespace ReactiveSync.Tests.Reactive;

public class BackoffCalculatorTests
{
    private static readonly BackoffPolicy NoJitter = new(
        initialDelay: TimeSpan.FromSeconds(1),
        multiplier: 2,
        maxDelay: TimeSpan.FromSeconds(30),
        maxRetries: 10);

    [TestCase(1, 1)]
    [TestCase(2, 2)]
    [TestCase(3, 4)]
    [TestCase(4, 8)]
    [TestCase(5, 16)]
    [TestCase(6, 30)]
    [TestCase(7, 30)]
    [TestCase(100, 30)]
    public void ComputeDelay_NoJitter_GrowsExponentiallyUpToTheCap(int attempt, int expectedSeconds)
    {
        Assert.That(BackoffCalculator.ComputeDelay(NoJitter, attempt, null, 0.5), Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));
    }

    [Test]
    public void ComputeDelay_FractionalMultiplier_IsExactToTheTick()
    {
        var policy = new BackoffPolicy(TimeSpan.FromMilliseconds(100), 1.5, TimeSpan.FromSeconds(10), 5);

        Assert.Multiple(() =>
        {
            Assert.That(BackoffCalculator.ComputeDelay(policy, 1, null, 0), Is.EqualTo(TimeSpan.FromMilliseconds(100)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 2, null, 0), Is.EqualTo(TimeSpan.FromMilliseconds(150)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 3, null, 0), Is.EqualTo(TimeSpan.FromMilliseconds(225)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 4, null, 0), Is.EqualTo(TimeSpan.FromTicks(3_375_000)));
        });
    }

    [TestCase(0.0, 900)]
    [TestCase(0.25, 950)]
    [TestCase(0.5, 1000)]
    [TestCase(0.75, 1050)]
    [TestCase(0.9999999999, 1100)]
    [TestCase(1.0, 1100)]
    public void ComputeDelay_Jitter_SpreadsLinearlyAroundTheDelay(double random, int expectedMilliseconds)
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30), 10, jitter: 0.1);

        Assert.That(BackoffCalculator.ComputeDelay(policy, 1, null, random), Is.EqualTo(TimeSpan.FromMilliseconds(expectedMilliseconds)));
    }

    [TestCase(0.0, 27)]
    [TestCase(0.5, 30)]
    [TestCase(1.0, 33)]
    public void ComputeDelay_JitterAfterTheCap_SpreadsCappedDelays(double random, int expectedSeconds)
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30), 10, jitter: 0.1);

        Assert.That(BackoffCalculator.ComputeDelay(policy, 20, null, random), Is.EqualTo(TimeSpan.FromSeconds(expectedSeconds)));
    }

    [Test]
    public void ComputeDelay_FullJitterAtZero_IsZeroNeverNegative()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30), 10, jitter: 1);

        Assert.Multiple(() =>
        {
            Assert.That(BackoffCalculator.ComputeDelay(policy, 3, null, 0), Is.EqualTo(TimeSpan.Zero));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 3, null, 1), Is.EqualTo(TimeSpan.FromSeconds(8)));
        });
    }

    [Test]
    public void ComputeDelay_RetryAfterAboveComputedBelowCap_IsHonoured()
    {
        Assert.That(BackoffCalculator.ComputeDelay(NoJitter, 1, TimeSpan.FromSeconds(20), 0.5), Is.EqualTo(TimeSpan.FromSeconds(20)));
    }

    [Test]
    public void ComputeDelay_RetryAfterBelowComputed_KeepsTheComputedDelay()
    {
        Assert.That(BackoffCalculator.ComputeDelay(NoJitter, 4, TimeSpan.FromSeconds(3), 0.5), Is.EqualTo(TimeSpan.FromSeconds(8)));
    }

    [Test]
    public void ComputeDelay_RetryAfterAboveTheCap_IsCappedAtMaxRetryAfter()
    {
        Assert.That(BackoffCalculator.ComputeDelay(NoJitter, 1, TimeSpan.FromHours(1), 0.5), Is.EqualTo(TimeSpan.FromSeconds(30)));
    }

    [Test]
    public void ComputeDelay_RetryAfterWithOwnCap_UsesMaxRetryAfter()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), 2, TimeSpan.FromSeconds(30), 10, maxRetryAfter: TimeSpan.FromMinutes(2));

        Assert.Multiple(() =>
        {
            Assert.That(BackoffCalculator.ComputeDelay(policy, 1, TimeSpan.FromMinutes(1), 0.5), Is.EqualTo(TimeSpan.FromMinutes(1)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 1, TimeSpan.FromHours(1), 0.5), Is.EqualTo(TimeSpan.FromMinutes(2)));
        });
    }

    [Test]
    public void ComputeDelay_RetryAfterBelowJitteredDelay_KeepsTheJitteredDelay()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(10), 2, TimeSpan.FromSeconds(30), 10, jitter: 0.5);

        Assert.That(BackoffCalculator.ComputeDelay(policy, 1, TimeSpan.FromSeconds(12), 1), Is.EqualTo(TimeSpan.FromSeconds(15)));
    }

    [TestCase(0)]
    [TestCase(-5)]
    public void ComputeDelay_ZeroOrNegativeRetryAfter_ChangesNothing(int seconds)
    {
        Assert.That(BackoffCalculator.ComputeDelay(NoJitter, 2, TimeSpan.FromSeconds(seconds), 0.5), Is.EqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public void ComputeDelay_HugeAttemptAndHugeCap_DoesNotOverflow()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(1), 10, TimeSpan.MaxValue, int.MaxValue, jitter: 1);

        Assert.Multiple(() =>
        {
            Assert.That(BackoffCalculator.ComputeDelay(policy, int.MaxValue, null, 1), Is.EqualTo(TimeSpan.MaxValue));
            Assert.That(BackoffCalculator.ComputeDelay(policy, int.MaxValue, null, 0.5), Is.EqualTo(TimeSpan.MaxValue));
            Assert.That(BackoffCalculator.ComputeDelay(policy, int.MaxValue, null, 0), Is.EqualTo(TimeSpan.Zero));
            Assert.That(BackoffCalculator.ComputeDelay(policy, int.MaxValue, TimeSpan.MaxValue, 0), Is.EqualTo(TimeSpan.MaxValue));
        });
    }

    [Test]
    public void ComputeDelay_ZeroInitialDelayAndHugeAttempt_IsZero()
    {
        var policy = new BackoffPolicy(TimeSpan.Zero, 2, TimeSpan.FromSeconds(1), 3);

        Assert.That(BackoffCalculator.ComputeDelay(policy, int.MaxValue, null, 0.5), Is.EqualTo(TimeSpan.Zero));
    }

    [Test]
    public void ComputeDelay_MultiplierOne_IsConstant()
    {
        var policy = new BackoffPolicy(TimeSpan.FromSeconds(5), 1, TimeSpan.FromSeconds(5), 3);

        Assert.That(BackoffCalculator.ComputeDelay(policy, 1000, null, 0.5), Is.EqualTo(TimeSpan.FromSeconds(5)));
    }

    [Test]
    public void ComputeDelay_InvalidArguments_ThrowNamingTheArgument()
    {
        Assert.Multiple(() =>
        {
            Assert.That(() => BackoffCalculator.ComputeDelay(null!, 1, null, 0),
                Throws.ArgumentNullException.With.Property("ParamName").EqualTo("policy"));
            Assert.That(() => BackoffCalculator.ComputeDelay(NoJitter, 0, null, 0),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("attempt"));
            Assert.That(() => BackoffCalculator.ComputeDelay(NoJitter, 1, null, -0.1),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("randomUnit"));
            Assert.That(() => BackoffCalculator.ComputeDelay(NoJitter, 1, null, 1.5),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("randomUnit"));
            Assert.That(() => BackoffCalculator.ComputeDelay(NoJitter, 1, null, double.NaN),
                Throws.TypeOf<ArgumentOutOfRangeException>().With.Property("ParamName").EqualTo("randomUnit"));
        });
    }

    [Test]
    public void ComputeDelay_ManyRandomInputs_StaysWithinTheDocumentedBounds()
    {
        var random = new Random(20240611);
        var failures = new List<string>();
        for (var i = 0; i < 100_000; i++)
        {
            var initial = TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerMinute));
            var max = initial + TimeSpan.FromTicks(random.NextInt64(0, TimeSpan.TicksPerHour));
            var multiplier = 1 + (random.NextDouble() * 4);
            var jitter = random.NextDouble();
            var maxRetryAfter = TimeSpan.FromTicks(random.NextInt64(0, 2 * TimeSpan.TicksPerHour));
            var policy = new BackoffPolicy(initial, multiplier, max, 10, jitter, maxRetryAfter);
            var attempt = random.Next(1, 200);
            TimeSpan? retryAfter = random.Next(3) == 0 ? TimeSpan.FromTicks(random.NextInt64(-TimeSpan.TicksPerHour, 3 * TimeSpan.TicksPerHour)) : null;
            var unit = random.NextDouble();

            var delay = BackoffCalculator.ComputeDelay(policy, attempt, retryAfter, unit);

            var exponential = Math.Min(initial.Ticks * Math.Pow(multiplier, attempt - 1), max.Ticks);
            var low = Math.Floor(exponential * (1 - jitter));
            var high = Math.Ceiling(exponential * (1 + jitter));
            var floor = retryAfter is { } hint && hint > TimeSpan.Zero ? Math.Min(hint.Ticks, maxRetryAfter.Ticks) : 0;
            if (delay < TimeSpan.Zero || delay.Ticks < Math.Max(low, floor) || delay.Ticks > Math.Max(high, floor))
            {
                failures.Add($"case {i}: {policy}, attempt {attempt}, retryAfter {retryAfter}, random {unit} -> {delay}");
            }
        }

        Assert.That(failures, Is.Empty);
    }

    [Test]
    public void ComputeDelay_ManyAttemptsWithoutJitter_NeverDecreases()
    {
        var policy = new BackoffPolicy(TimeSpan.FromMilliseconds(7), 1.3, TimeSpan.FromMinutes(5), 10);
        var previous = TimeSpan.Zero;
        for (var attempt = 1; attempt <= 5_000; attempt++)
        {
            var delay = BackoffCalculator.ComputeDelay(policy, attempt, null, 0.5);
            if (delay < previous)
            {
                Assert.Fail($"attempt {attempt}: {delay} < {previous}");
            }

            previous = delay;
        }

        Assert.That(previous, Is.EqualTo(TimeSpan.FromMinutes(5)));
    }

    [Test]
    public void ComputeDelay_DefaultConfiguration_MatchesTheSeedsSchedule()
    {
        var policy = BackoffPolicy.FromConfiguration(SyncConfiguration.Default);

        Assert.Multiple(() =>
        {
            Assert.That(BackoffCalculator.ComputeDelay(policy, 1, null, 0.5), Is.EqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 2, null, 0.5), Is.EqualTo(TimeSpan.FromSeconds(2)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 3, null, 0.5), Is.EqualTo(TimeSpan.FromSeconds(4)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 3, null, 0), Is.EqualTo(TimeSpan.FromSeconds(3.6)));
            Assert.That(BackoffCalculator.ComputeDelay(policy, 30, null, 1), Is.EqualTo(TimeSpan.FromMinutes(5.5)));
        });
    }
}
