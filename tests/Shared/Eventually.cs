using System.Diagnostics;

namespace ReactiveSync.TestSupport;

/// <summary>
/// Polls a condition up to a generous deadline, for the tests where work runs on real threads, real files, real
/// processes or a real server; everything time-dependent otherwise runs on a TestScheduler. Linked into both test
/// projects from tests/Shared.
/// </summary>
internal static class Eventually
{
    /// <summary>How long a wait lasts unless the caller says otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(10);

    /// <summary>
    /// Checks <paramref name="condition"/> until it holds; after <paramref name="timeout"/> fails the test naming
    /// <paramref name="what"/> was awaited and, if given, what <paramref name="lastSeen"/> answers at that moment.
    /// </summary>
    public static Task WaitAsync(
        Func<bool> condition, string what, TimeSpan? timeout = null, Func<object?>? lastSeen = null, TimeSpan? interval = null) =>
        WaitAsync(() => Task.FromResult(condition()), what, timeout, lastSeen, interval);

    /// <inheritdoc cref="WaitAsync(Func{bool}, string, TimeSpan?, Func{object?}?, TimeSpan?)"/>
    public static async Task WaitAsync(
        Func<Task<bool>> condition, string what, TimeSpan? timeout = null, Func<object?>? lastSeen = null, TimeSpan? interval = null)
    {
        var limit = timeout ?? DefaultTimeout;
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > limit)
            {
                var seen = lastSeen?.Invoke();
                Assert.Fail($"Timed out after {limit.TotalSeconds:0.#} s waiting until {what}" + (seen is null ? "." : $"; last seen: {seen}."));
            }

            await Task.Delay(interval ?? DefaultInterval);
        }
    }

    /// <summary>
    /// Like <see cref="WaitAsync(Func{bool}, string, TimeSpan?, Func{object?}?, TimeSpan?)"/>, but a
    /// <typeparamref name="TNotYet"/> thrown by <paramref name="condition"/> counts as "not yet" (a view still filling
    /// in, say); it is named in the failure message if the last check threw it. Any other exception fails at once.
    /// </summary>
    public static Task WaitAsync<TNotYet>(
        Func<bool> condition, string what, TimeSpan? timeout = null, Func<object?>? lastSeen = null, TimeSpan? interval = null)
        where TNotYet : Exception
    {
        TNotYet? lastError = null;
        return WaitAsync(
            () =>
            {
                try
                {
                    lastError = null;
                    return condition();
                }
                catch (TNotYet e)
                {
                    lastError = e;
                    return false;
                }
            },
            what,
            timeout,
            () =>
            {
                var seen = lastSeen?.Invoke();
                return lastError is null ? seen : $"{seen}{(seen is null ? "" : ", ")}the check threw {lastError.GetType().Name}: {lastError.Message}";
            },
            interval);
    }
}
