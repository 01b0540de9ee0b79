using System.Diagnostics;
using ReactiveSync.Queue;

namespace ReactiveSync.Benchmarks.Queue;

/// <summary>Wraps a store to time the work inside each transaction (reads and writes, without the commit's fsync).</summary>
internal sealed class TimingOperationStore(IOperationStore inner) : DelegatingOperationStore(inner)
{
    /// <summary>Milliseconds the last transaction's work took before its commit.</summary>
    public double LastWorkMs { get; private set; }

    /// <summary>Milliseconds all durable transactions spent in their work, and in all (work, commit and its fsync).</summary>
    public (double WorkMs, double TotalMs, int Commits) Durable { get; private set; }

    public override async Task<T> WriteAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default)
    {
        var total = Stopwatch.StartNew();
        var result = await Inner.WriteAsync(
            tx =>
            {
                var clock = Stopwatch.StartNew();
                var result = work(tx);
                LastWorkMs = clock.Elapsed.TotalMilliseconds;
                return result;
            },
            cancellationToken).ConfigureAwait(false);
        Durable = (Durable.WorkMs + LastWorkMs, Durable.TotalMs + total.Elapsed.TotalMilliseconds, Durable.Commits + 1);
        return result;
    }

    public override Task<T> WriteResendableAsync<T>(Func<IOperationStoreTransaction, T> work, CancellationToken cancellationToken = default) =>
        Inner.WriteResendableAsync(
            tx =>
            {
                var clock = Stopwatch.StartNew();
                var result = work(tx);
                LastWorkMs = clock.Elapsed.TotalMilliseconds;
                return result;
            },
            cancellationToken);
}
