using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.Model;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// A server (or a proxy, or a captive portal) answering pushes with garbage: each answer is classified (SyncFailed with
/// the classified error), the operations are kept — pending with a retry scheduled, then failed after their last
/// retry — and, once the server answers properly, retried and applied. The engine keeps running throughout.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Reliability")]
public sealed class MalformedServerAnswerTests
{
    private const int Count = 3;

    [TestCase("invalid-json", SyncErrorType.Unknown, "not valid protocol JSON")]
    [TestCase("wrong-count", SyncErrorType.Unknown, "2 results for 3 operations")]
    [TestCase("missing-fields", SyncErrorType.Unknown, "lacks 'status'")]
    [TestCase("html-200", SyncErrorType.Unknown, "HTML page instead of JSON")]
    [TestCase("html-502", SyncErrorType.Network, "(502)")]
    [TestCase("truncated-json", SyncErrorType.Unknown, "truncated")]
    [TestCase("cut-connection", SyncErrorType.Network, "Could not reach the server")]
    public async Task SyncNowAsync_MalformedPushAnswer_ClassifiesItAndKeepsTheOperations(string mode, SyncErrorType expectedType, string expectedMessage)
    {
        await using var server = await MalformedAnswerServer.StartAsync();
        server.Mode = mode;
        var configuration = SyncConfiguration.Default with
        {
            AutoSyncEnabled = false,
            MaxRetries = 1,
            InitialRetryDelay = TimeSpan.FromMilliseconds(100),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
            RetryJitter = 0,
            PullEnabled = false, // this server answers pushes only; pulls are another test's subject
        };
        await using var client = await SyncClient.StartAsync(server.BaseAddress, "malformed-device", configuration);
        var queued = new List<Guid>();
        for (var i = 0; i < Count; i++)
        {
            queued.Add((await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, $"post-{i}", new JsonObject { ["n"] = i })).Id);
        }

        // First answer: classified, every operation pending again with one retry used and a retry scheduled.
        var first = await client.Engine.SyncNowAsync();
        var pending = await client.OperationsAsync(OperationState.Pending);
        var failed = client.Events.OfType<SyncFailed>().ToList();
        TestContext.Progress.WriteLine($"{mode}: {first.Errors.FirstOrDefault()?.Message}");
        Assert.Multiple(() =>
        {
            Assert.That(first.Success, Is.False);
            Assert.That(first.Errors, Has.Count.EqualTo(1));
            Assert.That(first.Errors[0].Type, Is.EqualTo(expectedType));
            Assert.That(first.Errors[0].Message, Does.Contain(expectedMessage));
            Assert.That(first.Errors[0].IsRetryable, Is.True);
            Assert.That(failed, Has.Count.EqualTo(1));
            Assert.That(failed[0].Error, Is.EqualTo(first.Errors[0]));
            Assert.That(pending.Select(o => o.Id), Is.EquivalentTo(queued));
            Assert.That(pending.Select(o => o.RetryCount), Is.All.EqualTo(1));
            Assert.That(pending.Select(o => o.ErrorType), Is.All.EqualTo(expectedType));
            Assert.That(pending.Select(o => o.ScheduledAt > o.LastAttemptAt), Is.All.True, "a retry should be scheduled");
        });

        // The retry gets the same garbage: the operations fail for good, kept with the classified error.
        var failedCount = 0;
        await Eventually.WaitAsync(
            async () =>
            {
                await client.Engine.SyncNowAsync();
                return (failedCount = (await client.OperationsAsync(OperationState.Failed)).Count) == Count;
            },
            "every operation failed after its last retry",
            TimeSpan.FromSeconds(30),
            () => $"{failedCount} of {Count} failed",
            TimeSpan.FromMilliseconds(20));
        var gaveUp = await client.OperationsAsync(OperationState.Failed);
        Assert.Multiple(() =>
        {
            Assert.That(gaveUp.Select(o => o.Id), Is.EquivalentTo(queued));
            Assert.That(gaveUp.Select(o => o.ErrorType), Is.All.EqualTo(expectedType));
            Assert.That(gaveUp.Select(o => o.ErrorMessage), Has.All.Matches<string?>(m => m is not null && m.Contains(expectedMessage, StringComparison.Ordinal)));
            Assert.That(server.Applied, Is.Empty);
        });

        // The server recovers: retried, every operation is applied once and leaves the queue.
        server.Mode = "good";
        Assert.That(await client.Engine.RetryFailedOperationsAsync(), Is.EqualTo(Count));
        var last = await client.Engine.SyncNowAsync();
        var stats = await client.Engine.OperationQueue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(last.Success, Is.True);
            Assert.That(last.ProcessedOperations, Is.EqualTo(Count));
            Assert.That(stats.Total, Is.Zero);
            Assert.That(server.Applied, Is.EquivalentTo(queued));
        });
    }
}
