using System.Collections.Concurrent;

namespace ReactiveSync.Tests.Reactive;

/// <summary>
/// An observer for concurrency tests that records what it gets and checks the Rx contract as it goes:
/// calls never overlap, nothing comes after OnError or OnCompleted.
/// </summary>
internal sealed class ContractObserver<T> : IObserver<T>
{
    private readonly ConcurrentQueue<string> _violations = new();
    private readonly List<T> _values = [];
    private readonly TaskCompletionSource _terminated = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _inCall;
    private int _terminal;

    /// <summary>The values received, in order.</summary>
    public IReadOnlyList<T> Values
    {
        get
        {
            lock (_values)
            {
                return [.. _values];
            }
        }
    }

    /// <summary>The error received, if any.</summary>
    public Exception? Error { get; private set; }

    /// <summary>Whether OnCompleted came.</summary>
    public bool IsCompleted { get; private set; }

    /// <summary>Completes when OnError or OnCompleted comes.</summary>
    public Task Terminated => _terminated.Task;

    /// <summary>Contract breaches seen so far.</summary>
    public IReadOnlyCollection<string> Violations => _violations;

    public void OnNext(T value) => Call(nameof(OnNext), () =>
    {
        lock (_values)
        {
            _values.Add(value);
        }
    });

    public void OnError(Exception error) => Call(nameof(OnError), () =>
    {
        Error = error;
        Volatile.Write(ref _terminal, 1);
        _terminated.TrySetResult();
    });

    public void OnCompleted() => Call(nameof(OnCompleted), () =>
    {
        IsCompleted = true;
        Volatile.Write(ref _terminal, 1);
        _terminated.TrySetResult();
    });

    /// <summary>Waits for termination, failing the test after <paramref name="timeout"/>.</summary>
    public async Task WaitForTerminationAsync(TimeSpan timeout) => await Terminated.WaitAsync(timeout).ConfigureAwait(false);

    /// <summary>Fails the test if the contract was broken.</summary>
    public void AssertContract() => Assert.That(_violations, Is.Empty, "Rx contract violations");

    private void Call(string name, Action record)
    {
        if (Interlocked.Increment(ref _inCall) != 1)
        {
            _violations.Enqueue($"{name} overlapped another call");
        }

        if (Volatile.Read(ref _terminal) == 1)
        {
            _violations.Enqueue($"{name} after termination");
        }

        // Widen the window in which an overlapping call would be caught.
        Thread.SpinWait(50);
        record();
        Interlocked.Decrement(ref _inCall);
    }
}
