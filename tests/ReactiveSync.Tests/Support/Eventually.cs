namespace ReactiveSync.Tests.Support;

/// <summary>
/// Polls a condition with a generous deadline, for the few tests where work runs on real threads or real file I/O
/// (downloads, a real-scheduler concurrency test); everything time-dependent otherwise runs on a TestScheduler.
/// </summary>
internal static class Eventually
{
    public static Task WaitAsync(Func<bool> condition, string what, int seconds = 20) =>
        WaitAsync(() => Task.FromResult(condition()), what, seconds);

    public static async Task WaitAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }
}
