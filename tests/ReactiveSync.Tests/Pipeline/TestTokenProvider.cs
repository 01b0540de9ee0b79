using System.Reactive.Subjects;
using ReactiveSync.Transport;

namespace ReactiveSync.Tests.Pipeline;

/// <summary>A token provider whose renewals the test drives.</summary>
internal sealed class TestTokenProvider : IAccessTokenProvider
{
    private readonly Subject<AccessToken> _renewed = new();

    public IObservable<AccessToken> Renewed => _renewed;

    public ValueTask<AccessToken> GetTokenAsync(bool forceRenew, CancellationToken cancellationToken) => ValueTask.FromResult(new AccessToken("t"));

    public void Renew() => _renewed.OnNext(new AccessToken("renewed"));
}
