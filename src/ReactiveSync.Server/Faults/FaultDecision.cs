namespace ReactiveSync.Server.Faults;

/// <summary>What the fault injector decided for one request.</summary>
/// <param name="Kind">The fault.</param>
/// <param name="Delay">Latency to add before handling.</param>
/// <param name="CutFraction">Where in the body an aborted response is cut, 0 to 1, when no byte count is set.</param>
/// <param name="AbortAfterBytes">Where an aborted response is cut, in bytes, when set.</param>
/// <param name="RetryAfterSeconds">The <c>Retry-After</c> seconds for 429 and 503.</param>
internal sealed record FaultDecision(FaultKind Kind, TimeSpan Delay, double CutFraction, long? AbortAfterBytes, int RetryAfterSeconds)
{
    /// <summary>The number of body bytes to write before aborting a body of <paramref name="length"/> bytes.</summary>
    public long CutPoint(long length)
    {
        if (length <= 0)
        {
            return 0;
        }

        var cut = AbortAfterBytes ?? (long)(length * CutFraction);
        return Math.Clamp(cut, 0, length - 1);
    }
}
