using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;
using ReactiveSync.Events;
using ReactiveSync.Http;
using ReactiveSync.IntegrationTests.Support;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.IntegrationTests.Sync;

/// <summary>
/// Credentials refused by the real server: the engine pauses with an <see cref="AuthenticationRequired"/> event, keeps
/// every operation without using a retry, and syncs once the app supplies new credentials.
/// </summary>
[TestFixture]
[Category("Integration")]
public sealed class SyncEngineAuthenticationTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private string _directory = null!;

    [SetUp]
    public void CreateDirectory()
    {
        _directory = Path.Combine(Path.GetTempPath(), "rs-auth-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_directory);
    }

    [TearDown]
    public void DeleteDirectory()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    [Test]
    public async Task Sync_ServerRejectsToken_PausesKeepingOperationsWithoutRetriesThenSyncsAfterRenewal()
    {
        var accepted = "token-2";
        await using var server = await TestServer.StartAsync(o =>
            o.TokenValidator = (token, _) => ValueTask.FromResult(token == Volatile.Read(ref accepted)));

        // The app's sign-in code only has the old, revoked token until the user signs in again.
        var asked = 0;
        using var tokens = new DelegateAccessTokenProvider((_, _) =>
        {
            Interlocked.Increment(ref asked);
            return ValueTask.FromResult(new AccessToken("token-1"));
        });
        var configuration = new SyncConfiguration
        {
            QueueChangeDebounce = TimeSpan.FromMilliseconds(20),
            InitialRetryDelay = TimeSpan.FromMilliseconds(50),
            MaxRetryDelay = TimeSpan.FromMilliseconds(500),
        };
        await using var device = await SyncTestClient.StartAsync(server.BaseAddress, _directory, "device-auth", configuration, tokens: tokens);

        var required = device.WaitForEventAsync<AuthenticationRequired>(Timeout);
        var queued = new List<OfflineOperation>();
        for (var i = 0; i < 5; i++)
        {
            queued.Add(await device.Engine.QueueOperationAsync(
                OperationType.Create, ResourceType.Post, $"post-{i}", new JsonObject { ["title"] = $"post {i}" }, SyncPriority.High));
        }

        var authEvent = await required;
        var paused = await device.WaitForStatusAsync(s => s.AuthenticationRequired && !s.IsSyncing, Timeout, "authentication pause");
        Assert.Multiple(() =>
        {
            Assert.That(authEvent.Error.Type, Is.EqualTo(SyncErrorType.Authentication));
            Assert.That(authEvent.Error.StatusCode, Is.EqualTo(401));
            Assert.That(paused.PendingOperations, Is.EqualTo(5));
            Assert.That(paused.FailedOperations, Is.Zero);
        });
        await Assert.ThrowsAsync<SyncException>(() => device.Engine.SyncNowAsync());

        var kept = await device.Engine.OperationQueue.GetOperationsAsync(OperationState.Pending, 0, 100);
        Assert.That(kept.Select(o => o.Id), Is.EquivalentTo(queued.Select(o => o.Id)), "every operation kept");
        Assert.That(kept.Select(o => o.RetryCount), Is.All.Zero, "no retry used by the authentication failure");
        Assert.That(await server.Store.CountRecordedOperationsAsync(), Is.Zero);

        // The user signs in again: the app hands the new token over.
        tokens.NotifyRenewed(new AccessToken(accepted));
        var synced = await device.WaitForStatusAsync(s => !s.AuthenticationRequired && s.PendingOperations == 0 && !s.IsSyncing, Timeout, "sync after renewal");

        Assert.Multiple(() =>
        {
            Assert.That(synced.FailedOperations, Is.Zero);
            Assert.That(synced.LastError, Is.Null);
        });
        Assert.That(await server.Store.CountRecordedOperationsAsync("device-auth"), Is.EqualTo(5));
        foreach (var op in queued)
        {
            Assert.That((await server.Store.GetResourceAsync("post", op.ResourceId))?.Version, Is.EqualTo(1), op.ResourceId);
        }

        Assert.That(device.Events.OfType<AuthenticationRequired>().Count(), Is.GreaterThanOrEqualTo(1));
        TestContext.Progress.WriteLine($"token delegate called {asked} times");
    }
}
