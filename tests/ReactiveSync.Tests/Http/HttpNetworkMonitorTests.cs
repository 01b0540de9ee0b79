using System.Net;
using System.Reactive;
using System.Reactive.Concurrency;
using System.Reactive.Subjects;
using Microsoft.Reactive.Testing;
using ReactiveSync.Http;
using ReactiveSync.Http.Internal;
using ReactiveSync.Network;

namespace ReactiveSync.Tests.Http;

public class HttpNetworkMonitorTests : ReactiveTest
{
    private static readonly HttpNetworkMonitorOptions Options = new()
    {
        ProbeInterval = TimeSpan.FromTicks(100),
        OfflineProbeInterval = TimeSpan.FromTicks(30),
        ProbeTimeout = TimeSpan.FromTicks(20),
    };

    private static readonly NetworkStatus OnWiFi = new(true, NetworkKind.WiFi);
    private static readonly NetworkStatus Unreachable = new(false, NetworkKind.WiFi);

    private SynchronizationContext? _testContext;

    // A continuation completed on a thread with a custom synchronization context (NUnit installs one) is queued to
    // the thread pool instead of running inline, which would let a probe's answer land after the virtual time moved on.
    [SetUp]
    public void RunWithoutSynchronizationContext()
    {
        _testContext = SynchronizationContext.Current;
        SynchronizationContext.SetSynchronizationContext(null);
    }

    [TearDown]
    public void RestoreSynchronizationContext() => SynchronizationContext.SetSynchronizationContext(_testContext);

    /// <summary>A server whose reachability the test sets, the OS's network as the test says, and a virtual clock.</summary>
    private sealed class Fixture : IDisposable
    {
        public Fixture(string server = "http://sync.test/")
        {
            Handler = new StubHttpHandler((_, _, ct) => Hang
                ? StubHttpHandler.HangUntilCancelled(ct)
                : Reachable
                    ? Task.FromResult(StubHttpHandler.Json(HttpStatusCode.OK, "{\"status\":\"ok\"}"))
                    : Task.FromException<HttpResponseMessage>(new HttpRequestException(HttpRequestError.ConnectionError, "refused")));
            Monitor = new HttpNetworkMonitor(
                new Uri(server), Scheduler, Options, null, Handler, new SystemNetwork(Changes, () => Available, () => Kind));
        }

        public TestScheduler Scheduler { get; } = new();

        public Subject<Unit> Changes { get; } = new();

        public StubHttpHandler Handler { get; }

        public HttpNetworkMonitor Monitor { get; }

        public bool Reachable { get; set; } = true;

        public bool Hang { get; set; }

        public bool Available { get; set; } = true;

        public NetworkKind Kind { get; set; } = NetworkKind.WiFi;

        public ITestableObserver<NetworkStatus> SubscribeAt(long time)
        {
            var observer = Scheduler.CreateObserver<NetworkStatus>();
            Scheduler.ScheduleAbsolute(time, () => Monitor.Status.Subscribe(observer));
            return observer;
        }

        public void At(long time, Action action) => Scheduler.ScheduleAbsolute(time, action);

        public void Dispose() => Monitor.Dispose();
    }

    [Test]
    public void Status_ServerReachable_EmitsOnlineOnceAndProbesEveryInterval()
    {
        using var f = new Fixture();
        var observer = f.SubscribeAt(100);

        f.Scheduler.AdvanceTo(1000);

        observer.Messages.AssertEqual(OnNext(100, OnWiFi));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(10));
        Assert.That(f.Handler.Requests.Select(r => r.Uri.ToString()).Distinct(), Is.EqualTo(new[] { "http://sync.test/health" }));
    }

    [Test]
    public void Status_NotSubscribed_DoesNotProbe()
    {
        using var f = new Fixture();

        f.Scheduler.AdvanceTo(1000);

        Assert.That(f.Handler.Requests, Is.Empty);
    }

    [Test]
    public void Status_ServerGoesAwayAndComesBack_FollowsItProbingFasterWhileOffline()
    {
        using var f = new Fixture();
        var observer = f.SubscribeAt(100);
        f.At(350, () => f.Reachable = false);
        f.At(445, () => f.Reachable = true);

        f.Scheduler.AdvanceTo(600);

        // Probes at 100..400 every 100; offline at 400, then every 30: 430 (still down), 460 (up), then every 100: 560.
        observer.Messages.AssertEqual(
            OnNext(100, OnWiFi),
            OnNext(400, Unreachable),
            OnNext(460, OnWiFi));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(7));
    }

    [Test]
    public void Status_ProbeUnansweredPastTimeout_IsOffline()
    {
        using var f = new Fixture { Hang = true };
        var observer = f.SubscribeAt(100);
        f.At(125, () => f.Hang = false);

        f.Scheduler.AdvanceTo(160);

        // The probe at 100 times out at 120; the next, 30 later at 150, answers.
        observer.Messages.AssertEqual(
            OnNext(120, Unreachable),
            OnNext(150, OnWiFi));
    }

    [Test]
    public void Status_OsReportsNetworkLost_IsOfflineAtOnceWithoutProbe()
    {
        using var f = new Fixture();
        var observer = f.SubscribeAt(100);
        f.At(250, () =>
        {
            f.Available = false;
            f.Kind = NetworkKind.None;
            f.Reachable = false;
            f.Changes.OnNext(Unit.Default);
        });

        f.Scheduler.AdvanceTo(260);

        observer.Messages.AssertEqual(
            OnNext(100, OnWiFi),
            OnNext(250, NetworkStatus.Offline));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(2), "probes at 100 and 200 only");
    }

    [Test]
    public void Status_OsReportsChange_ProbesAtOnce()
    {
        using var f = new Fixture();
        var observer = f.SubscribeAt(100);
        f.At(250, () =>
        {
            f.Available = false;
            f.Changes.OnNext(Unit.Default);
        });
        f.At(270, () =>
        {
            f.Available = true;
            f.Kind = NetworkKind.Ethernet;
            f.Changes.OnNext(Unit.Default);
        });

        f.Scheduler.AdvanceTo(300);

        observer.Messages.AssertEqual(
            OnNext(100, OnWiFi),
            OnNext(250, NetworkStatus.Offline),
            OnNext(270, new NetworkStatus(true, NetworkKind.Ethernet)));
    }

    [Test]
    public void Status_LoopbackServerWhileOsSaysNoNetwork_StillProbes()
    {
        using var f = new Fixture("http://127.0.0.1:5000/");
        var observer = f.SubscribeAt(100);
        f.At(150, () =>
        {
            f.Available = false;
            f.Changes.OnNext(Unit.Default);
        });

        f.Scheduler.AdvanceTo(200);

        observer.Messages.AssertEqual(OnNext(100, OnWiFi));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(2), "probes at 100 and 150 (OS change); the next waits until 250");
    }

    [Test]
    public void Status_LateSubscriber_GetsCurrentStateAtOnce()
    {
        using var f = new Fixture();
        f.SubscribeAt(100);
        f.At(150, () => f.Reachable = false);
        var late = f.SubscribeAt(500);

        f.Scheduler.AdvanceTo(510);

        late.Messages.AssertEqual(OnNext(500, Unreachable));
    }

    [Test]
    public void ReportFailure_ProbesAtOnce()
    {
        using var f = new Fixture();
        var observer = f.SubscribeAt(100);
        f.At(150, () =>
        {
            f.Reachable = false;
            f.Monitor.ReportFailure();
        });

        f.Scheduler.AdvanceTo(190);

        observer.Messages.AssertEqual(
            OnNext(100, OnWiFi),
            OnNext(150, Unreachable));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(3), "probes at 100, 150 (reported) and 180 (offline interval)");
    }

    [Test]
    public void ReportSuccess_WhileOffline_IsOnlineAtOnceWithoutProbe()
    {
        using var f = new Fixture { Reachable = false };
        var observer = f.SubscribeAt(100);
        f.At(110, () =>
        {
            f.Reachable = true;
            f.Monitor.ReportSuccess();
        });

        f.Scheduler.AdvanceTo(200);

        observer.Messages.AssertEqual(
            OnNext(100, Unreachable),
            OnNext(110, OnWiFi));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(1), "the next probe waits a full interval after the success, until 210");
    }

    [Test]
    public void Status_ProbeThrowsAnything_IsOfflineNeverError()
    {
        using var f = new Fixture();
        var handler = new StubHttpHandler((_, _, _) => Task.FromException<HttpResponseMessage>(new InvalidOperationException("bug")));
        using var monitor = new HttpNetworkMonitor(new Uri("http://sync.test/"), f.Scheduler, Options, null, handler, new SystemNetwork(f.Changes, () => true, () => NetworkKind.WiFi));
        var observer = f.Scheduler.CreateObserver<NetworkStatus>();
        f.At(100, () => monitor.Status.Subscribe(observer));

        f.Scheduler.AdvanceTo(300);

        observer.Messages.AssertEqual(OnNext(100, Unreachable));
    }

    [Test]
    public void Dispose_StopsProbingAndCompletes()
    {
        using var f = new Fixture();
        var observer = f.SubscribeAt(100);
        f.At(250, f.Monitor.Dispose);

        f.Scheduler.AdvanceTo(1000);

        observer.Messages.AssertEqual(
            OnNext(100, OnWiFi),
            OnCompleted<NetworkStatus>(250));
        Assert.That(f.Handler.Requests, Has.Count.EqualTo(2));
        Assert.DoesNotThrow(f.Monitor.Dispose);
    }

    [Test]
    public void Constructor_InvalidOptions_ThrowNamingTheField()
    {
        var scheduler = new TestScheduler();

        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentException>(() => new HttpNetworkMonitor(new Uri("http://s/"), scheduler, new HttpNetworkMonitorOptions { ProbeInterval = TimeSpan.Zero }))!.ParamName, Is.EqualTo("ProbeInterval"));
            Assert.That(Assert.Throws<ArgumentException>(() => new HttpNetworkMonitor(new Uri("http://s/"), scheduler, new HttpNetworkMonitorOptions { HealthPath = "http://elsewhere/health" }))!.ParamName, Is.EqualTo("HealthPath"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => new HttpNetworkMonitor(new Uri("http://s/"), null!))!.ParamName, Is.EqualTo("scheduler"));
        });
    }
}
