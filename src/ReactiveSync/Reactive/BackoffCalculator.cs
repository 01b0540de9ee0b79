namespace ReactiveSync.Reactive;

/// <summary>The retry-delay formula of a <see cref="BackoffPolicy"/>: pure, with the randomness passed in, so it is exact to test and to persist.</summary>
public static class BackoffCalculator
{
    /// <summary>
    /// The delay before retry number <paramref name="attempt"/>, in whole ticks (rounded to the nearest, never negative):
    /// <list type="number">
    /// <item><description><c>exponential = InitialDelay * Multiplier^(attempt - 1)</c>;</description></item>
    /// <item><description><c>capped = min(exponential, MaxDelay)</c> (an overflowing exponential is capped too);</description></item>
    /// <item><description><c>jittered = capped * (1 + Jitter * (2 * randomUnit - 1))</c>, so it lies in
    /// <c>[capped * (1 - Jitter), capped * (1 + Jitter)]</c> with mean <c>capped</c>: jitter comes after the cap, so capped retries
    /// of many clients still spread out;</description></item>
    /// <item><description><c>delay = max(jittered, min(retryAfter, MaxRetryAfter))</c>: a server's Retry-After hint is a floor,
    /// itself capped; a null, zero or negative hint changes nothing.</description></item>
    /// </list>
    /// A result beyond <see cref="TimeSpan.MaxValue"/> is clamped to it.
    /// </summary>
    /// <param name="policy">The policy.</param>
    /// <param name="attempt">The retry number, from 1 for the first retry.</param>
    /// <param name="retryAfter">The server's Retry-After hint, if any.</param>
    /// <param name="randomUnit">A uniform random number in [0, 1), e.g. <see cref="Random.NextDouble"/>; 1 is accepted too.</param>
    /// <exception cref="ArgumentNullException"><paramref name="policy"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="attempt"/> is below 1 or <paramref name="randomUnit"/> is outside [0, 1].</exception>
    public static TimeSpan ComputeDelay(BackoffPolicy policy, int attempt, TimeSpan? retryAfter, double randomUnit)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentOutOfRangeException.ThrowIfLessThan(attempt, 1);
        if (double.IsNaN(randomUnit) || randomUnit is < 0 or > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(randomUnit), randomUnit, "randomUnit must be in [0, 1].");
        }

        double maxTicks = policy.MaxDelay.Ticks;
        double capped;
        if (policy.InitialDelay == TimeSpan.Zero)
        {
            capped = 0; // 0 * Multiplier^n stays 0, even where the power overflows to infinity
        }
        else
        {
            var exponential = policy.InitialDelay.Ticks * Math.Pow(policy.Multiplier, attempt - 1);
            capped = double.IsFinite(exponential) && exponential < maxTicks ? exponential : maxTicks;
        }

        var jittered = capped * (1 + (policy.Jitter * ((2 * randomUnit) - 1)));
        var delay = ToTimeSpan(jittered);

        if (retryAfter is { } hint && hint > TimeSpan.Zero)
        {
            var floor = hint < policy.MaxRetryAfter ? hint : policy.MaxRetryAfter;
            if (floor > delay)
            {
                delay = floor;
            }
        }

        return delay;
    }

    private static TimeSpan ToTimeSpan(double ticks)
    {
        var rounded = Math.Round(ticks, MidpointRounding.AwayFromZero);
        if (rounded <= 0)
        {
            return TimeSpan.Zero;
        }

        // (double)long.MaxValue rounds up to 2^63, so anything at or above it does not fit.
        return rounded >= long.MaxValue ? TimeSpan.MaxValue : TimeSpan.FromTicks((long)rounded);
    }
}
