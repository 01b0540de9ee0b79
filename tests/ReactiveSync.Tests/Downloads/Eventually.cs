namespace ReactiveSync.Tests.Downloads;

/// <summary>Polls a condition with a generous deadline: downloads run on background tasks with real file I/O.</summary>
internal static class Eventually
{
    public static async Task WaitAsync(Func<bool> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting until {what}.");
            }

            await Task.Delay(5);
        }
    }
}
