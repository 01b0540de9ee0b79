using System.Reactive.Linq;
using ReactiveSync.Transport;

namespace ReactiveSync.Http;

/// <summary>A token provider for a fixed bearer token (an API key, a test): renewal gives the same token, and it never says it was renewed.</summary>
public sealed class StaticAccessTokenProvider : IAccessTokenProvider
{
    private readonly AccessToken _token;

    /// <summary>Creates a provider that always gives <paramref name="token"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="token"/> is null or empty.</exception>
    public StaticAccessTokenProvider(string token)
    {
        ArgumentException.ThrowIfNullOrEmpty(token);
        _token = new AccessToken(token);
    }

    /// <inheritdoc/>
    public IObservable<AccessToken> Renewed => Observable.Never<AccessToken>();

    /// <inheritdoc/>
    public ValueTask<AccessToken> GetTokenAsync(bool forceRenew, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_token);
    }
}
