using System.Reactive.Concurrency;
using System.Reactive.Disposables;
using System.Reactive.Linq;
using System.Reactive.Subjects;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ReactiveSync.Http.Internal;
using ReactiveSync.Network;

namespace ReactiveSync.Http;

/// <summary>
/// Says whether the sync server can be reached: the operating system's network-change events merged with a periodic
/// probe of the server's <c>/health</c> (every <see cref="HttpNetworkMonitorOptions.ProbeInterval"/> while online,
/// every <see cref="HttpNetworkMonitorOptions.OfflineProbeInterval"/> while not, at once when the OS reports a change).
/// Probing starts with the first subscription and runs on the injected scheduler until disposal.
/// </summary>
public sealed class HttpNetworkMonitor : INetworkMonitor, IDisposable
{
    private readonly object _gate = new();
    private readonly IScheduler _scheduler;
    private readonly HttpNetworkMonitorOptions _options;
    private readonly ILogger _logger;
    private readonly SystemNetwork _system;
    private readonly HttpMessageInvoker _invoker;
    private readonly Uri _healthUri;
    private readonly bool _serverIsLoopback;
    private readonly ReplaySubject<NetworkStatus> _status = new(1);
    private readonly SerialDisposable _nextProbe = new();
    private readonly SerialDisposable _inFlight = new();
    private readonly SerialDisposable _systemChanges = new();
    private NetworkStatus? _current;
    private long _probeId;
    private bool _probing;
    private bool _started;
    private bool _disposed;

    /// <summary>Creates a monitor probing <c>{serverBaseUri}/health</c>.</summary>
    /// <param name="serverBaseUri">The sync server's base address.</param>
    /// <param name="scheduler">Runs the probe timers and timeouts.</param>
    /// <param name="options">Probe intervals, timeout and health path; null for <see cref="HttpNetworkMonitorOptions.Default"/>.</param>
    /// <param name="logger">Receives status changes and probe failures.</param>
    /// <param name="handler">The HTTP handler the probe sends through (a stub in tests); owned and disposed by the monitor. Null for a default one.</param>
    /// <exception cref="ArgumentNullException">A required argument is null.</exception>
    /// <exception cref="ArgumentException">The URI is not absolute http(s), or an option is invalid (the message names it).</exception>
    public HttpNetworkMonitor(
        Uri serverBaseUri,
        IScheduler scheduler,
        HttpNetworkMonitorOptions? options = null,
        ILogger? logger = null,
        HttpMessageHandler? handler = null)
        : this(serverBaseUri, scheduler, options, logger, handler, SystemNetwork.Default)
    {
    }

    internal HttpNetworkMonitor(
        Uri serverBaseUri,
        IScheduler scheduler,
        HttpNetworkMonitorOptions? options,
        ILogger? logger,
        HttpMessageHandler? handler,
        SystemNetwork system)
    {
        ArgumentNullException.ThrowIfNull(serverBaseUri);
        ArgumentNullException.ThrowIfNull(scheduler);
        if (!serverBaseUri.IsAbsoluteUri || serverBaseUri.Scheme is not ("http" or "https"))
        {
            throw new ArgumentException($"The server base URI must be an absolute http or https URI, was '{serverBaseUri}'.", nameof(serverBaseUri));
        }

        _options = (options ?? HttpNetworkMonitorOptions.Default).Validate();
        _scheduler = scheduler;
        _logger = logger ?? NullLogger.Instance;
        _system = system;
        var baseUri = serverBaseUri.AbsolutePath.EndsWith('/') ? serverBaseUri : new Uri(serverBaseUri.GetLeftPart(UriPartial.Path) + "/");
        _healthUri = new Uri(baseUri, _options.HealthPath);
        _serverIsLoopback = serverBaseUri.IsLoopback;
        _invoker = new HttpMessageInvoker(
            handler ?? new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2), ConnectTimeout = _options.ProbeTimeout },
            disposeHandler: true);
        Status = Observable.Defer(() =>
        {
            Start();
            return _status.AsObservable();
        });
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The first value comes when the first probe answers (or times out); later subscribers get the current state at
    /// once. Values are delivered on the scheduler's or the HTTP stack's threads, one at a time; do not block in them.
    /// Completes when the monitor is disposed.
    /// </remarks>
    public IObservable<NetworkStatus> Status { get; }

    /// <summary>The last state emitted; null before the first probe answered.</summary>
    public NetworkStatus? Current
    {
        get
        {
            lock (_gate)
            {
                return _current;
            }
        }
    }

    /// <summary>Tells the monitor a request to the server just failed for a network reason: it probes now (unless a probe is already running).</summary>
    public void ReportFailure()
    {
        lock (_gate)
        {
            if (_started && !_disposed && !_probing)
            {
                StartProbe();
            }
        }
    }

    /// <summary>Tells the monitor a request to the server just succeeded: the server counts as reachable now, without a probe.</summary>
    public void ReportSuccess()
    {
        lock (_gate)
        {
            if (!_started || _disposed)
            {
                return;
            }

            Publish(new NetworkStatus(true, OnlineKind()));
            ScheduleNextProbe(_options.ProbeInterval);
        }
    }

    /// <summary>Stops the timers and any probe in flight and completes <see cref="Status"/>; safe to call twice.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _probeId++;
        }

        _systemChanges.Dispose();
        _nextProbe.Dispose();
        _inFlight.Dispose();
        _status.OnCompleted();
        _status.Dispose();
        _invoker.Dispose();
    }

    private void Start()
    {
        lock (_gate)
        {
            if (_started || _disposed)
            {
                return;
            }

            _started = true;
            StartProbe();
        }

        // Subscribed outside the lock: a change event may arrive on another thread at once.
        _systemChanges.Disposable = _system.Changes.Subscribe(_ => OnSystemChange());
    }

    private void OnSystemChange()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            if (!_serverIsLoopback && !_system.IsAvailable())
            {
                // No link at all: offline now, no need to wait for a probe to time out.
                _probeId++;
                _probing = false;
                _inFlight.Disposable = Disposable.Empty;
                Publish(NetworkStatus.Offline);
                ScheduleNextProbe(_options.OfflineProbeInterval);
                return;
            }

            StartProbe();
        }
    }

    // Called under _gate. A new probe supersedes one in flight, whose answer is then ignored.
    private void StartProbe()
    {
        var id = ++_probeId;
        _probing = true;
        _nextProbe.Disposable = Disposable.Empty;
        var cts = new CancellationTokenSource();
        var timeout = _scheduler.Schedule(_options.ProbeTimeout, () => Cancel(cts));
        _inFlight.Disposable = new CompositeDisposable(timeout, Disposable.Create(() => Cancel(cts)));
        _ = ProbeAsync(id, cts);
    }

    private async Task ProbeAsync(long id, CancellationTokenSource cts)
    {
        bool reachable;
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, _healthUri);
            using var response = await _invoker.SendAsync(request, cts.Token).ConfigureAwait(false);
            reachable = response.IsSuccessStatusCode;
            if (!reachable)
            {
                Log.ProbeFailed(_logger, $"status {(int)response.StatusCode}");
            }
        }
        catch (Exception ex)
        {
            // Any failure of the probe means the server cannot be reached now; the stream never errors.
            Log.ProbeFailed(_logger, ex.GetType().Name);
            reachable = false;
        }
        finally
        {
            cts.Dispose();
        }

        lock (_gate)
        {
            if (_disposed || id != _probeId)
            {
                return;
            }

            _probing = false;
            _inFlight.Disposable = Disposable.Empty;
            Publish(reachable ? new NetworkStatus(true, OnlineKind()) : new NetworkStatus(false, _system.Kind()));
            ScheduleNextProbe(reachable ? _options.ProbeInterval : _options.OfflineProbeInterval);
        }
    }

    // Called under _gate.
    private void ScheduleNextProbe(TimeSpan delay)
    {
        var id = _probeId;
        _nextProbe.Disposable = _scheduler.Schedule(delay, () =>
        {
            lock (_gate)
            {
                if (!_disposed && id == _probeId && !_probing)
                {
                    StartProbe();
                }
            }
        });
    }

    // Called under _gate, which also keeps emissions one at a time and in order.
    private void Publish(NetworkStatus status)
    {
        if (status == _current)
        {
            return;
        }

        _current = status;
        Log.NetworkStatusChanged(_logger, status.IsOnline, status.Kind);
        _status.OnNext(status);
    }

    private NetworkKind OnlineKind() => _system.Kind() is NetworkKind.None ? NetworkKind.Unknown : _system.Kind();

    private static void Cancel(CancellationTokenSource cts)
    {
        try
        {
            cts.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The probe already finished.
        }
    }
}
