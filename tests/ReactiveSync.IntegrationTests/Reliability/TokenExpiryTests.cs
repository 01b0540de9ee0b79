using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json.Nodes;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.IntegrationTests.Reliability;

/// <summary>
/// Tokens that expire during a long sync: the server refuses expired tokens, and the HTTP transport renews each token
/// before its known expiry, so the sync runs to the end without one 401, pause or failure.
/// </summary>
[TestFixture]
[Category("Integration")]
[Category("Reliability")]
public sealed class TokenExpiryTests
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RenewalMargin = TimeSpan.FromMilliseconds(400);

    [Test]
    public async Task SyncNowAsync_TokensExpireMidSync_RenewedBeforeExpiryAndNothingFails()
    {
        var count = ReliabilitySettings.Scale(ci: 400, longRun: 4000);
        var expiries = new ConcurrentDictionary<string, DateTimeOffset>();
        var refused = 0;
        var accepted = 0;
        await using var server = await TestServer.StartAsync(o =>
        {
            o.TokenValidator = (token, _) =>
            {
                var valid = expiries.TryGetValue(token, out var expiresAt) && DateTimeOffset.UtcNow < expiresAt;
                if (valid)
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }

                return ValueTask.FromResult(valid);
            };

            // Every request takes a while, so the sync spans several token lifetimes (three pushes are on the wire at once).
            o.Faults.Latency = TimeSpan.FromMilliseconds(180);
        });

        var issued = 0;
        var forced = 0;
        using var tokens = new DelegateAccessTokenProvider((force, _) =>
        {
            var n = Interlocked.Increment(ref issued);
            if (force)
            {
                Interlocked.Increment(ref forced);
            }

            var token = new AccessToken($"token-{n}", DateTimeOffset.UtcNow + Lifetime);
            expiries[token.Value] = token.ExpiresAt!.Value;
            return ValueTask.FromResult(token);
        });

        var configuration = SyncConfiguration.Default with { AutoSyncEnabled = false, BatchSize = 10 };
        await using var client = await SyncClient.StartAsync(
            server.BaseAddress, "token-device", configuration, tokens, HttpSyncTransportOptions.Default with { TokenRenewalMargin = RenewalMargin });
        for (var i = 0; i < count; i++)
        {
            await client.Engine.QueueOperationAsync(OperationType.Create, ResourceType.Post, $"post-{i}", new JsonObject { ["title"] = $"post {i}" });
        }

        var clock = Stopwatch.StartNew();
        var result = await client.Engine.SyncNowAsync();
        clock.Stop();
        TestContext.Progress.WriteLine(
            $"token expiry: {count} ops in {clock.Elapsed.TotalSeconds:0.0} s; {issued} tokens issued ({forced} renewals before expiry); " +
            $"{accepted} requests accepted, {refused} refused");

        var stats = await client.Engine.OperationQueue.GetQueueStatsAsync();
        Assert.Multiple(() =>
        {
            Assert.That(clock.Elapsed, Is.GreaterThan(Lifetime * 2), "the sync should outlive several tokens");
            Assert.That(result.Success, Is.True, string.Join("; ", result.Errors.Select(e => e.Message)));
            Assert.That(result.ProcessedOperations, Is.EqualTo(count));
            Assert.That(result.FailedOperations, Is.Zero);
            Assert.That(forced, Is.GreaterThanOrEqualTo(2), "tokens should have been renewed mid-sync");
            Assert.That(refused, Is.Zero, "the transport should renew before expiry, never after a 401");
            Assert.That(client.Events.OfType<AuthenticationRequired>(), Is.Empty);
            Assert.That(client.Events.OfType<SyncFailed>(), Is.Empty);
            Assert.That(stats.Total, Is.Zero, "the queue should be empty");
        });
        Assert.That(await server.Store.CountRecordedOperationsAsync("token-device"), Is.EqualTo(count));
    }
}
