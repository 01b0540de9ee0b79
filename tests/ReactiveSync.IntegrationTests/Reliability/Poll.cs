using System.Diagnostics;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>Waits for a condition on real components (a server, a SQLite file), checking it often, up to a generous deadline.</summary>
public static class Poll
{
    /// <summary>Checks <paramref name="condition"/> every 20 ms until it holds; fails the test with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s waiting until {what}.");
            }

            await Task.Delay(20);
        }
    }
}
