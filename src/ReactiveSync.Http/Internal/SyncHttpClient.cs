using System.Net.Sockets;
using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Refit;
using ReactiveSync.Http.Wire;
using ReactiveSync.Model;
using ReactiveSync.Transport;

namespace ReactiveSync.Http.Internal;

/// <summary>
/// The HTTP plumbing shared by the transport and the content source: one connection pool, one bearer-token handler,
/// the Refit API, the per-call timeout on the scheduler, the clock offset and the error classification.
/// </summary>
internal sealed class SyncHttpClient : IDisposable
{
    private readonly HttpClient _client;
    private readonly TimeSpan _timeout;
    private readonly ServerClock _clock;

    public SyncHttpClient(
        Uri serverBaseUri,
        IAccessTokenProvider tokenProvider,
        IScheduler scheduler,
        HttpSyncTransportOptions? options,
        ILogger? logger,
        HttpMessageHandler? innerHandler)
    {
        ArgumentNullException.ThrowIfNull(serverBaseUri);
        ArgumentNullException.ThrowIfNull(tokenProvider);
        ArgumentNullException.ThrowIfNull(scheduler);
        if (!serverBaseUri.IsAbsoluteUri || serverBaseUri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The server base URI must be an absolute http or https URI, was '{serverBaseUri}'.", nameof(serverBaseUri));
        }

        options = (options ?? HttpSyncTransportOptions.Default).Validate();
        Scheduler = scheduler;
        Logger = logger ?? NullLogger.Instance;
        _timeout = options.Timeout;
        _clock = new ServerClock(scheduler);

        var handler = new BearerTokenHandler(tokenProvider, scheduler, options.TokenRenewalMargin, Logger, innerHandler ?? CreateDefaultHandler());
        _client = new HttpClient(handler, disposeHandler: true)
        {
            BaseAddress = WithTrailingSlash(serverBaseUri),
            // The timeout runs on the injected scheduler instead (see ExecuteAsync), so tests control it.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _client.DefaultRequestHeaders.UserAgent.ParseAdd(options.UserAgent);

        var settings = new RefitSettings(new SystemTextJsonContentSerializer(WireJson.Options))
        {
            // Transport failures reach ExecuteAsync as they are, to be classified there.
            TransportExceptionFactory = static (_, exception, _) => exception,
        };
        Api = RestService.For<ISyncApi>(_client, settings);
    }

    public ISyncApi Api { get; }

    public IScheduler Scheduler { get; }

    public ILogger Logger { get; }

    public TimeSpan ServerClockOffset => _clock.Offset;

    /// <summary>
    /// Sends a request and hands a 2xx response to <paramref name="onSuccess"/> (which owns it from then on), all within
    /// the timeout. Non-2xx answers and transport failures become <see cref="SyncException"/>; the caller's cancellation
    /// propagates as <see cref="OperationCanceledException"/>.
    /// </summary>
    public async Task<T> ExecuteAsync<T>(
        string what,
        Func<ISyncApi, CancellationToken, Task<HttpResponseMessage>> send,
        Func<HttpResponseMessage, CancellationToken, Task<T>> onSuccess,
        CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timedOut = 0;
        var timer = _timeout == System.Threading.Timeout.InfiniteTimeSpan
            ? Disposable.Empty
            : Scheduler.Schedule(_timeout, () =>
            {
                Volatile.Write(ref timedOut, 1);
                try
                {
                    cts.Cancel();
                }
                catch (ObjectDisposedException)
                {
                    // The call finished as the timer fired.
                }
            });

        try
        {
            HttpResponseMessage response;
            try
            {
                response = await send(Api, cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsTransportFailure(ex) && !cancellationToken.IsCancellationRequested)
            {
                throw Fail(what, Volatile.Read(ref timedOut) == 1 || ex is OperationCanceledException
                    ? HttpErrorClassifier.Timeout(what, _timeout)
                    : HttpErrorClassifier.Unreachable(what, ex), ex);
            }

            _clock.Learn(response);
            try
            {
                if (!response.IsSuccessStatusCode)
                {
                    var error = await HttpErrorClassifier.FromResponseAsync(response, what, Scheduler.Now, cts.Token).ConfigureAwait(false);
                    throw Fail(what, error, null);
                }

                Log.CallSucceeded(Logger, what, (int)response.StatusCode);
                var handedOver = response;
                response = null!;
                return await onSuccess(handedOver, cts.Token).ConfigureAwait(false);
            }
            finally
            {
                response?.Dispose();
            }
        }
        catch (SyncException ex) when (ex.Error.Type == SyncErrorType.Unknown && ex.Error.IsRetryable)
        {
            Log.CallFailed(Logger, what, ex.Error.Type, ex.Error.StatusCode, ex.Error.IsRetryable, ex.Error.Message);
            throw;
        }
        catch (Exception ex) when (IsTransportFailure(ex) && !cancellationToken.IsCancellationRequested)
        {
            // A failure while reading a body: a cut connection or the timeout.
            throw Fail(what, Volatile.Read(ref timedOut) == 1 || ex is OperationCanceledException
                ? HttpErrorClassifier.Timeout(what, _timeout)
                : HttpErrorClassifier.Unreachable(what, ex), ex);
        }
        catch (OperationCanceledException ex) when (cancellationToken.IsCancellationRequested && ex.CancellationToken != cancellationToken)
        {
            // Cancelled through the linked token: surface the caller's own token, as a caller filtering on it expects.
            throw new OperationCanceledException(ex.Message, ex, cancellationToken);
        }
        finally
        {
            timer.Dispose();
        }
    }

    public void Dispose() => _client.Dispose();

    internal static bool IsTransportFailure(Exception ex) =>
        ex is HttpRequestException or IOException or SocketException or OperationCanceledException or TimeoutException;

    private SyncException Fail(string what, SyncError error, Exception? inner)
    {
        Log.CallFailed(Logger, what, error.Type, error.StatusCode, error.IsRetryable, error.Message);
        return new SyncException(error, inner);
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/" + uri.Query);

    private static SocketsHttpHandler CreateDefaultHandler() => new()
    {
        AutomaticDecompression = System.Net.DecompressionMethods.None,
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        ConnectTimeout = TimeSpan.FromSeconds(15),
    };
}
