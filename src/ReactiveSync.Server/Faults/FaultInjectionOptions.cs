namespace ReactiveSync.Server.Faults;

/// <summary>
/// Faults the server injects into <c>/sync/*</c> requests, for tests: 500/503 answers, 429 with Retry-After,
/// connections aborted mid-response, and added latency. Everything is off by default.
/// </summary>
/// <remarks>
/// Properties may be changed while the server runs; each request reads them when it starts. Decisions come from
/// one random generator seeded by <see cref="Seed"/>: the same seed and the same sequence of requests give the
/// same sequence of faults. Every request draws the same count of random numbers, whatever is decided, so the
/// sequence does not shift when rates change. The rates are checked in order 429, 5xx, abort against one draw,
/// so their sum should not pass 1. <c>/health</c> is never faulted.
/// </remarks>
public sealed class FaultInjectionOptions
{
    /// <summary>The seed used when none is set.</summary>
    public const int DefaultSeed = 20261125;

    private readonly Lock _gate = new();
    private Random _random = new(DefaultSeed);
    private int _seed = DefaultSeed;
    private double _serverErrorRate;
    private double _tooManyRequestsRate;
    private double _abortRate;
    private int _retryAfterSeconds = 1;
    private TimeSpan _latency;
    private TimeSpan _latencyJitter;
    private long? _abortAfterBytes;

    /// <summary>The seed of the fault generator; setting it (even to the same value) restarts the sequence of decisions.</summary>
    public int Seed
    {
        get { lock (_gate) { return _seed; } }
        set { lock (_gate) { _seed = value; _random = new Random(value); } }
    }

    /// <summary>The share of requests answered 500 or 503 (half each) before they are handled; 0 to 1, default 0.</summary>
    public double ServerErrorRate
    {
        get => Volatile.Read(ref _serverErrorRate);
        set => Volatile.Write(ref _serverErrorRate, CheckRate(value, nameof(ServerErrorRate)));
    }

    /// <summary>The share of requests answered 429 with <c>Retry-After</c> before they are handled; 0 to 1, default 0.</summary>
    public double TooManyRequestsRate
    {
        get => Volatile.Read(ref _tooManyRequestsRate);
        set => Volatile.Write(ref _tooManyRequestsRate, CheckRate(value, nameof(TooManyRequestsRate)));
    }

    /// <summary>
    /// The share of requests that are handled (a push is applied) but whose connection is aborted after part of the
    /// response body was written; 0 to 1, default 0.
    /// </summary>
    public double AbortRate
    {
        get => Volatile.Read(ref _abortRate);
        set => Volatile.Write(ref _abortRate, CheckRate(value, nameof(AbortRate)));
    }

    /// <summary>The seconds sent in <c>Retry-After</c> with injected 429 and 503 answers; default 1.</summary>
    public int RetryAfterSeconds
    {
        get => Volatile.Read(ref _retryAfterSeconds);
        set
        {
            ArgumentOutOfRangeException.ThrowIfNegative(value, nameof(RetryAfterSeconds));
            Volatile.Write(ref _retryAfterSeconds, value);
        }
    }

    /// <summary>Latency added to every <c>/sync/*</c> request, measured on the server's <see cref="TimeProvider"/>; default zero.</summary>
    public TimeSpan Latency
    {
        get { lock (_gate) { return _latency; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(Latency));
            lock (_gate) { _latency = value; }
        }
    }

    /// <summary>A random extra latency, uniformly between zero and this, added to <see cref="Latency"/>; default zero.</summary>
    public TimeSpan LatencyJitter
    {
        get { lock (_gate) { return _latencyJitter; } }
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(LatencyJitter));
            lock (_gate) { _latencyJitter = value; }
        }
    }

    /// <summary>
    /// Where an aborted response is cut: after this many body bytes (capped at the body's length minus one). Null (the
    /// default) cuts at a random point of the body.
    /// </summary>
    public long? AbortAfterBytes
    {
        get { lock (_gate) { return _abortAfterBytes; } }
        set
        {
            if (value is < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(AbortAfterBytes), value, "AbortAfterBytes must not be negative.");
            }

            lock (_gate) { _abortAfterBytes = value; }
        }
    }

    /// <summary>Whether any fault or latency is configured.</summary>
    public bool IsEnabled =>
        ServerErrorRate > 0 || TooManyRequestsRate > 0 || AbortRate > 0 || Latency > TimeSpan.Zero || LatencyJitter > TimeSpan.Zero;

    /// <summary>Turns every fault and the added latency off; the seed and its sequence are kept.</summary>
    public void Disable()
    {
        ServerErrorRate = 0;
        TooManyRequestsRate = 0;
        AbortRate = 0;
        Latency = TimeSpan.Zero;
        LatencyJitter = TimeSpan.Zero;
        AbortAfterBytes = null;
    }

    /// <summary>Draws the decision for the next request.</summary>
    internal FaultDecision Next()
    {
        double outcome, kind, cut, jitter;
        TimeSpan latency, latencyJitter;
        long? abortAfter;
        lock (_gate)
        {
            outcome = _random.NextDouble();
            kind = _random.NextDouble();
            cut = _random.NextDouble();
            jitter = _random.NextDouble();
            latency = _latency;
            latencyJitter = _latencyJitter;
            abortAfter = _abortAfterBytes;
        }

        var delay = latency + (latencyJitter * jitter);
        var tooMany = TooManyRequestsRate;
        var serverError = ServerErrorRate;
        var abort = AbortRate;
        var fault = FaultKind.None;
        if (outcome < tooMany)
        {
            fault = FaultKind.TooManyRequests;
        }
        else if (outcome < tooMany + serverError)
        {
            fault = kind < 0.5 ? FaultKind.InternalServerError : FaultKind.ServiceUnavailable;
        }
        else if (outcome < tooMany + serverError + abort)
        {
            fault = FaultKind.Abort;
        }

        return new FaultDecision(fault, delay, cut, abortAfter, RetryAfterSeconds);
    }

    private static double CheckRate(double value, string name)
    {
        if (double.IsNaN(value) || value < 0 || value > 1)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be between 0 and 1.");
        }

        return value;
    }
}
