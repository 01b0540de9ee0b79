using System.Diagnostics;
using ReactiveSync.Benchmarks.Queue;
using ReactiveSync.Model;
using ReactiveSync.Queue;
using ReactiveSync.Transport;

namespace ReactiveSync.Benchmarks.Push;

/// <summary>
/// Where a drain's time goes: store transactions (work before the commit, and the whole call with the commit and the
/// wait for the writer) and pushes (the HTTP round trip with the server's work), summed over one drain.
/// </summary>
internal sealed class DrainTimings
{
    private long _writes;
    private long _writeTicks;
    private long _workTicks;
    private long _takeWorkTicks;
    private long _takes;
    private long _pushes;
    private long _pushTicks;
    private long _pullTicks;

    public IOperationStore Wrap(IOperationStore store) => new TimedStore(store, this);

    public ISyncTransport Wrap(ISyncTransport transport) => new TimedTransport(transport, this);

    /// <summary>Zeroes the sums (after queueing, before the measured drain).</summary>
    public DrainTimings Reset()
    {
        Interlocked.Exchange(ref _writes, 0);
        Interlocked.Exchange(ref _writeTicks, 0);
        Interlocked.Exchange(ref _workTicks, 0);
        Interlocked.Exchange(ref _takeWorkTicks, 0);
        Interlocked.Exchange(ref _takes, 0);
        Interlocked.Exchange(ref _pushes, 0);
        Interlocked.Exchange(ref _pushTicks, 0);
        Interlocked.Exchange(ref _pullTicks, 0);
        return this;
    }

    public string Describe(TimeSpan total) =>
        $"store: {Interlocked.Read(ref _writes):N0} transactions, {Ms(_writeTicks):N0} ms in WriteAsync ({Ms(_workTicks):N0} ms of it work before commit; {Interlocked.Read(ref _takes):N0} resendable (takes, completions) with {Ms(_takeWorkTicks):N0} ms work); " +
        $"push: {Interlocked.Read(ref _pushes):N0} requests, {Ms(_pushTicks):N0} ms; pull {Ms(_pullTicks):N0} ms; drain {total.TotalMilliseconds:N0} ms";

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private sealed class TimedStore(IOperationStore inner, DrainTimings timings) : DelegatingOperationStore(inner)
    {
        public override Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
            TimeAsync(work, relaxed: false, cancellationToken);

        public override Task<T> WriteResendableAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
            TimeAsync(work, relaxed: true, cancellationToken);

        private async Task<T> TimeAsync<T>(Func<IOperationStoreTransaction, T> work, bool relaxed, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            Func<Func<IOperationStoreTransaction, T>, CancellationToken, Task<T>> write = relaxed ? Inner.WriteResendableAsync : Inner.WriteAsync;
            try
            {
                return await write(
                    tx =>
                    {
                        var workStart = Stopwatch.GetTimestamp();
                        try
                        {
                            return work(tx);
                        }
                        finally
                        {
                            Interlocked.Add(ref timings._workTicks, Stopwatch.GetTimestamp() - workStart);
                            if (relaxed)
                            {
                                Interlocked.Increment(ref timings._takes);
                                Interlocked.Add(ref timings._takeWorkTicks, Stopwatch.GetTimestamp() - workStart);
                            }
                        }
                    },
                    cancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref timings._writes);
                Interlocked.Add(ref timings._writeTicks, Stopwatch.GetTimestamp() - start);
            }
        }
    }

    private sealed class TimedTransport(ISyncTransport inner, DrainTimings timings) : ISyncTransport
    {
        public TimeSpan ServerClockOffset => inner.ServerClockOffset;

        public async Task<IReadOnlyList<PushResult>> PushAsync(string clientId, IReadOnlyList<OfflineOperation> operations, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return await inner.PushAsync(clientId, operations, cancellationToken);
            }
            finally
            {
                Interlocked.Increment(ref timings._pushes);
                Interlocked.Add(ref timings._pushTicks, Stopwatch.GetTimestamp() - start);
            }
        }

        public async Task<PullPage> PullAsync(long? checkpoint, int limit, CancellationToken cancellationToken)
        {
            var start = Stopwatch.GetTimestamp();
            try
            {
                return await inner.PullAsync(checkpoint, limit, cancellationToken);
            }
            finally
            {
                Interlocked.Add(ref timings._pullTicks, Stopwatch.GetTimestamp() - start);
            }
        }

        public Task UploadContentAsync(string resourceId, Stream content, string? contentType, CancellationToken cancellationToken) =>
            inner.UploadContentAsync(resourceId, content, contentType, cancellationToken);
    }
}
