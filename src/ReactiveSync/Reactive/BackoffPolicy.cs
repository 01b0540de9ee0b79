using ReactiveSync.Model;

namespace ReactiveSync.Reactive;

/// <summary>
/// How long to wait before each retry: exponential growth from <see cref="InitialDelay"/>, capped at
/// <see cref="MaxDelay"/>, then spread by <see cref="Jitter"/>; a server's Retry-After is honoured up to
/// <see cref="MaxRetryAfter"/>. Immutable and validated on construction; <see cref="BackoffCalculator.ComputeDelay"/> does the maths.
/// </summary>
public sealed record BackoffPolicy
{
    /// <summary>Creates a policy, rejecting invalid values with an <see cref="ArgumentOutOfRangeException"/> naming the parameter.</summary>
    /// <param name="initialDelay">The delay before the first retry; not negative.</param>
    /// <param name="multiplier">Growth per retry; finite and at least 1.</param>
    /// <param name="maxDelay">The cap on the exponential delay, applied before jitter; not below <paramref name="initialDelay"/>.</param>
    /// <param name="maxRetries">Retries allowed after the first failure; not negative (0 never retries).</param>
    /// <param name="jitter">Random spread as a fraction of the capped delay, between 0 and 1.</param>
    /// <param name="maxRetryAfter">The cap on a server's Retry-After hint; not negative; null means <paramref name="maxDelay"/>.</param>
    public BackoffPolicy(
        TimeSpan initialDelay,
        double multiplier,
        TimeSpan maxDelay,
        int maxRetries,
        double jitter = 0,
        TimeSpan? maxRetryAfter = null)
    {
        var effectiveMaxRetryAfter = maxRetryAfter ?? maxDelay;
        if (FindProblem(initialDelay, multiplier, maxDelay, maxRetries, jitter, effectiveMaxRetryAfter) is { } problem)
        {
            var parameter = problem.Field switch
            {
                nameof(InitialDelay) => nameof(initialDelay),
                nameof(Multiplier) => nameof(multiplier),
                nameof(MaxDelay) => nameof(maxDelay),
                nameof(MaxRetries) => nameof(maxRetries),
                nameof(Jitter) => nameof(jitter),
                _ => nameof(maxRetryAfter),
            };
            throw new ArgumentOutOfRangeException(parameter, problem.Value, $"{parameter} {problem.Rule}.");
        }

        InitialDelay = initialDelay;
        Multiplier = multiplier;
        MaxDelay = maxDelay;
        MaxRetries = maxRetries;
        Jitter = jitter;
        MaxRetryAfter = effectiveMaxRetryAfter;
    }

    /// <summary>The policy of <see cref="SyncConfiguration.Default"/>: 1 s, doubling, capped at 5 min, 3 retries, 10 % jitter.</summary>
    public static BackoffPolicy Default { get; } = FromConfiguration(SyncConfiguration.Default);

    /// <summary>The delay before the first retry.</summary>
    public TimeSpan InitialDelay { get; }

    /// <summary>Growth of the delay per retry (at least 1).</summary>
    public double Multiplier { get; }

    /// <summary>The cap on the exponential delay; jitter is applied after it, so a delay may exceed it by up to <see cref="Jitter"/> of it.</summary>
    public TimeSpan MaxDelay { get; }

    /// <summary>Retries allowed after the first failure.</summary>
    public int MaxRetries { get; }

    /// <summary>Random spread as a fraction of the capped delay, between 0 and 1.</summary>
    public double Jitter { get; }

    /// <summary>The cap on a server's Retry-After hint; <see cref="MaxDelay"/> unless set.</summary>
    public TimeSpan MaxRetryAfter { get; }

    /// <summary>
    /// The policy a configuration describes: <see cref="SyncConfiguration.InitialRetryDelay"/>, <see cref="SyncConfiguration.BackoffMultiplier"/>,
    /// <see cref="SyncConfiguration.MaxRetryDelay"/> (also the Retry-After cap), <see cref="SyncConfiguration.MaxRetries"/> and
    /// <see cref="SyncConfiguration.RetryJitter"/>. Throws <see cref="SyncConfigurationException"/> naming the first invalid field.
    /// </summary>
    public static BackoffPolicy FromConfiguration(SyncConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var problem = FindProblem(
            configuration.InitialRetryDelay,
            configuration.BackoffMultiplier,
            configuration.MaxRetryDelay,
            configuration.MaxRetries,
            configuration.RetryJitter,
            configuration.MaxRetryDelay);
        if (problem is { } p)
        {
            var field = p.Field switch
            {
                nameof(InitialDelay) => nameof(SyncConfiguration.InitialRetryDelay),
                nameof(Multiplier) => nameof(SyncConfiguration.BackoffMultiplier),
                nameof(MaxDelay) or nameof(MaxRetryAfter) => nameof(SyncConfiguration.MaxRetryDelay),
                nameof(MaxRetries) => nameof(SyncConfiguration.MaxRetries),
                _ => nameof(SyncConfiguration.RetryJitter),
            };
            throw new SyncConfigurationException(field, p.Value, p.Rule);
        }

        return new BackoffPolicy(
            configuration.InitialRetryDelay,
            configuration.BackoffMultiplier,
            configuration.MaxRetryDelay,
            configuration.MaxRetries,
            configuration.RetryJitter);
    }

    // One rule set for both entry points, so the constructor and the configuration report the same rules.
    private static (string Field, object Value, string Rule)? FindProblem(
        TimeSpan initialDelay, double multiplier, TimeSpan maxDelay, int maxRetries, double jitter, TimeSpan maxRetryAfter)
    {
        if (initialDelay < TimeSpan.Zero)
        {
            return (nameof(InitialDelay), initialDelay, "must not be negative");
        }

        if (!double.IsFinite(multiplier) || multiplier < 1)
        {
            return (nameof(Multiplier), multiplier, "must be finite and at least 1");
        }

        if (maxDelay < initialDelay)
        {
            return (nameof(MaxDelay), maxDelay, $"must not be below the initial delay ({initialDelay})");
        }

        if (maxRetries < 0)
        {
            return (nameof(MaxRetries), maxRetries, "must not be negative");
        }

        if (!double.IsFinite(jitter) || jitter is < 0 or > 1)
        {
            return (nameof(Jitter), jitter, "must be between 0 and 1");
        }

        if (maxRetryAfter < TimeSpan.Zero)
        {
            return (nameof(MaxRetryAfter), maxRetryAfter, "must not be negative");
        }

        return null;
    }
}
