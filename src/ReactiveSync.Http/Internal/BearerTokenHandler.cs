using System.Net;
using System.Net.Http.Headers;
using System.Reactive.Concurrency;
using Microsoft.Extensions.Logging;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Http.Internal;

/// <summary>
/// Adds <c>Authorization: Bearer</c> to every request. Renews the token first when the provider says it expires
/// within the margin (by the scheduler's clock), and on a 401 renews once more and replays the request once.
/// </summary>
internal sealed class BearerTokenHandler : DelegatingHandler
{
    private readonly IAccessTokenProvider _tokens;
    private readonly IScheduler _scheduler;
    private readonly TimeSpan _renewalMargin;
    private readonly ILogger _logger;

    public BearerTokenHandler(IAccessTokenProvider tokens, IScheduler scheduler, TimeSpan renewalMargin, ILogger logger, HttpMessageHandler innerHandler)
        : base(innerHandler)
    {
        _tokens = tokens;
        _scheduler = scheduler;
        _renewalMargin = renewalMargin;
        _logger = logger;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await GetTokenAsync(forceRenew: false, cancellationToken).ConfigureAwait(false);
        if (token.ExpiresAt is { } expiresAt && expiresAt - _scheduler.Now < _renewalMargin)
        {
            Log.RenewingBeforeExpiry(_logger);
            token = await GetTokenAsync(forceRenew: true, cancellationToken).ConfigureAwait(false);
        }

        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized || !CanReplay(request))
        {
            return response;
        }

        // The token may have been revoked or expired early: one forced renewal and one replay, then the 401 stands.
        Log.RenewingAfterUnauthorized(_logger);
        response.Dispose();
        token = await GetTokenAsync(forceRenew: true, cancellationToken).ConfigureAwait(false);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token.Value);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private static bool CanReplay(HttpRequestMessage request) => request.Content is null or not UploadContent { CanReplay: false };

    private async Task<AccessToken> GetTokenAsync(bool forceRenew, CancellationToken cancellationToken)
    {
        AccessToken? token;
        try
        {
            token = await _tokens.GetTokenAsync(forceRenew, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (SyncException)
        {
            throw;
        }
        catch (Exception ex)
        {
            throw new SyncException(
                SyncError.Of(SyncErrorType.Authentication, $"The access token provider failed ({ex.GetType().Name})."), ex);
        }

        if (token is null || string.IsNullOrEmpty(token.Value))
        {
            throw new SyncException(SyncError.Of(SyncErrorType.Authentication, "The access token provider gave no token."));
        }

        return token;
    }
}
