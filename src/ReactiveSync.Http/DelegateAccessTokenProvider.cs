using System.Reactive.Linq;
using System.Reactive.Subjects;
using ReactiveSync.Transport;

namespace ReactiveSync.Http;

/// <summary>
/// A token provider over the app's own sign-in code: it caches the last token, calls the delegate when there is none
/// or when a renewal is forced (concurrent forced renewals share one call), and emits <see cref="Renewed"/> when the
/// app calls <see cref="NotifyRenewed"/> (e.g. after the user signs in again), which ends an authentication pause.
/// </summary>
public sealed class DelegateAccessTokenProvider : IAccessTokenProvider, IDisposable
{
    private readonly Func<bool, CancellationToken, ValueTask<AccessToken>> _getToken;
    private readonly Subject<AccessToken> _renewed = new();
    private readonly object _gate = new();
    private AccessToken? _current;
    private Task<AccessToken>? _renewal;

    /// <summary>Creates a provider calling <paramref name="getToken"/>(forceRenew, cancellationToken) for tokens.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="getToken"/> is null.</exception>
    public DelegateAccessTokenProvider(Func<bool, CancellationToken, ValueTask<AccessToken>> getToken)
    {
        ArgumentNullException.ThrowIfNull(getToken);
        _getToken = getToken;
        Renewed = _renewed.AsObservable();
    }

    /// <inheritdoc/>
    /// <remarks>Hot: emits only what <see cref="NotifyRenewed"/> supplies after subscribing; not the delegate's own renewals.</remarks>
    public IObservable<AccessToken> Renewed { get; }

    /// <inheritdoc/>
    public async ValueTask<AccessToken> GetTokenAsync(bool forceRenew, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        TaskCompletionSource<AccessToken>? started = null;
        Task<AccessToken> renewal;
        lock (_gate)
        {
            if (!forceRenew && _current is { } current)
            {
                return current;
            }

            if (_renewal is null)
            {
                started = new TaskCompletionSource<AccessToken>(TaskCreationOptions.RunContinuationsAsynchronously);
                _renewal = started.Task;
            }

            renewal = _renewal;
        }

        if (started is not null)
        {
            await CallAsync(forceRenew, started).ConfigureAwait(false);
        }

        return await renewal.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Supplies new credentials: they are used from now on, and <see cref="Renewed"/> emits them.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="token"/> is null.</exception>
    public void NotifyRenewed(AccessToken token)
    {
        ArgumentNullException.ThrowIfNull(token);
        lock (_gate)
        {
            _current = token;
        }

        _renewed.OnNext(token);
    }

    /// <inheritdoc/>
    public void Dispose() => _renewed.Dispose();

    private async Task CallAsync(bool forceRenew, TaskCompletionSource<AccessToken> completion)
    {
        AccessToken? token = null;
        Exception? failure = null;
        try
        {
            // A shared call is not cancelled by one of its waiters leaving.
            token = await _getToken(forceRenew, CancellationToken.None).ConfigureAwait(false)
                ?? throw new InvalidOperationException("The token delegate returned null.");
        }
        catch (Exception ex)
        {
            failure = ex;
        }

        lock (_gate)
        {
            _renewal = null;
            if (token is not null)
            {
                _current = token;
            }
        }

        if (token is not null)
        {
            completion.SetResult(token);
        }
        else
        {
            completion.SetException(failure!);
        }
    }
}
