namespace ReactiveSync.Transport;

/// <summary>Port: supplies bearer tokens and says when the app has new credentials.</summary>
public interface IAccessTokenProvider
{
    /// <summary>
    /// Emits when the app supplies new credentials (e.g. after the user signs in again); an authentication pause ends then.
    /// </summary>
    IObservable<AccessToken> Renewed { get; }

    /// <summary>Gets a token; <paramref name="forceRenew"/> asks for a fresh one even if the current one looks valid.</summary>
    ValueTask<AccessToken> GetTokenAsync(bool forceRenew, CancellationToken cancellationToken);
}
