using ReactiveSync.Http;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Http;

public class DelegateAccessTokenProviderTests
{
    [Test]
    public async Task GetTokenAsync_NotForced_CallsDelegateOnceThenCaches()
    {
        var calls = new List<bool>();
        using var provider = new DelegateAccessTokenProvider((force, _) =>
        {
            calls.Add(force);
            return ValueTask.FromResult(new AccessToken($"t{calls.Count}"));
        });

        var first = await provider.GetTokenAsync(false, CancellationToken.None);
        var second = await provider.GetTokenAsync(false, CancellationToken.None);

        Assert.That((first.Value, second.Value, calls.Count), Is.EqualTo(("t1", "t1", 1)));
    }

    [Test]
    public async Task GetTokenAsync_Forced_CallsDelegateWithForceAndCachesTheResult()
    {
        var calls = new List<bool>();
        using var provider = new DelegateAccessTokenProvider((force, _) =>
        {
            calls.Add(force);
            return ValueTask.FromResult(new AccessToken($"t{calls.Count}"));
        });

        await provider.GetTokenAsync(false, CancellationToken.None);
        var renewed = await provider.GetTokenAsync(true, CancellationToken.None);
        var cached = await provider.GetTokenAsync(false, CancellationToken.None);

        Assert.That((renewed.Value, cached.Value, calls), Is.EqualTo(("t2", "t2", new List<bool> { false, true })));
    }

    [Test]
    public async Task GetTokenAsync_ConcurrentForcedRenewals_ShareOneCall()
    {
        var gate = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        using var provider = new DelegateAccessTokenProvider((_, _) =>
        {
            Interlocked.Increment(ref calls);
            return new ValueTask<AccessToken>(gate.Task);
        });

        var first = provider.GetTokenAsync(true, CancellationToken.None).AsTask();
        var second = provider.GetTokenAsync(true, CancellationToken.None).AsTask();
        gate.SetResult(new AccessToken("shared"));
        var tokens = await Task.WhenAll(first, second);

        Assert.That((calls, tokens[0].Value, tokens[1].Value), Is.EqualTo((1, "shared", "shared")));
    }

    [Test]
    public async Task GetTokenAsync_AfterSynchronousRenewal_NextForcedRenewalCallsAgain()
    {
        var calls = 0;
        using var provider = new DelegateAccessTokenProvider((_, _) => ValueTask.FromResult(new AccessToken($"t{Interlocked.Increment(ref calls)}")));

        await provider.GetTokenAsync(true, CancellationToken.None);
        var second = await provider.GetTokenAsync(true, CancellationToken.None);

        Assert.That((calls, second.Value), Is.EqualTo((2, "t2")));
    }

    [Test]
    public async Task NotifyRenewed_EmitsRenewedAndIsUsedFromNowOn()
    {
        using var provider = new DelegateAccessTokenProvider((_, _) => ValueTask.FromResult(new AccessToken("old")));
        var renewed = new List<AccessToken>();
        await provider.GetTokenAsync(false, CancellationToken.None);
        using var subscription = provider.Renewed.Subscribe(renewed.Add);

        var fresh = new AccessToken("new");
        provider.NotifyRenewed(fresh);

        Assert.That((renewed.Single(), (await provider.GetTokenAsync(false, CancellationToken.None)).Value), Is.EqualTo((fresh, "new")));
    }

    [Test]
    public void Constructor_NullDelegate_ThrowsNamingIt()
    {
        Assert.That(Assert.Throws<ArgumentNullException>(() => new DelegateAccessTokenProvider(null!))!.ParamName, Is.EqualTo("getToken"));
    }
}
