using System.Net;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;
using static ReactiveSync.IntegrationTests.Support.SyncWire;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class AuthenticationTests
{
    private const string GoodToken = "good-token";
    private readonly List<string> _seenTokens = [];
    private TestServer _server = null!;

    [OneTimeSetUp]
    public async Task StartServer() => _server = await TestServer.StartAsync();

    [OneTimeTearDown]
    public async Task StopServer() => await _server.DisposeAsync();

    [SetUp]
    public void RequireGoodToken()
    {
        lock (_seenTokens)
        {
            _seenTokens.Clear();
        }

        _server.Options.TokenValidator = (token, _) =>
        {
            lock (_seenTokens)
            {
                _seenTokens.Add(token);
            }

            return ValueTask.FromResult(token == GoodToken);
        };
    }

    [TearDown]
    public void RemoveValidator() => _server.Options.TokenValidator = null;

    private static IEnumerable<HttpRequestMessage> EverySyncRoute()
    {
        yield return new HttpRequestMessage(HttpMethod.Post, "sync/push") { Content = new StringContent(PushBody("d").ToJsonString()) };
        yield return new HttpRequestMessage(HttpMethod.Get, "sync/pull");
        yield return new HttpRequestMessage(HttpMethod.Get, "sync/content/x");
        yield return new HttpRequestMessage(HttpMethod.Head, "sync/content/x");
        yield return new HttpRequestMessage(HttpMethod.Put, "sync/content/x") { Content = new ByteArrayContent([1, 2, 3]) };
    }

    [Test]
    public async Task SyncRoutes_WithoutToken_Answer401Authentication()
    {
        using var client = _server.CreateClient(token: null);
        foreach (var request in EverySyncRoute())
        {
            using (request)
            using (var response = await client.SendAsync(request))
            {
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"{request.Method} {request.RequestUri}");
                Assert.That(response.Headers.WwwAuthenticate.Single().Scheme, Is.EqualTo("Bearer"));
                if (request.Method != HttpMethod.Head)
                {
                    Assert.That(await ErrorTypeAsync(response), Is.EqualTo("authentication"));
                }
            }
        }

        Assert.That(_seenTokens, Is.Empty, "the validator is not asked without a token");
    }

    [Test]
    public async Task SyncRoutes_WithInvalidToken_Answer401AndChangeNothing()
    {
        using var client = _server.CreateClient("bad-token");
        var id = Guid.NewGuid().ToString("N");

        var results = new List<HttpStatusCode>();
        using (var push = await PostPushAsync(client, PushBody("d", Op("create", "post", id, data: new JsonObject()))))
        {
            results.Add(push.StatusCode);
            Assert.That(await ErrorTypeAsync(push), Is.EqualTo("authentication"));
        }

        using (var put = await PutContentAsync(client, id, [1, 2, 3]))
        {
            results.Add(put.StatusCode);
        }

        Assert.Multiple(async () =>
        {
            Assert.That(results, Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(_seenTokens, Is.EqualTo(new[] { "bad-token", "bad-token" }));
            Assert.That(await _server.Store.GetResourceAsync("post", id), Is.Null);
            Assert.That(await _server.Store.OpenContentAsync(id), Is.Null);
        });
    }

    [Test]
    public async Task SyncRoutes_WithValidToken_AreServed()
    {
        using var client = _server.CreateClient(GoodToken);

        var result = await PushOneAsync(client, "d", Op("create", "post", Guid.NewGuid().ToString("N"), data: new JsonObject()));
        using var pull = await client.GetAsync("sync/pull");

        Assert.Multiple(() =>
        {
            Assert.That(result["status"]!.GetValue<string>(), Is.EqualTo("applied"));
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_seenTokens, Is.EqualTo(new[] { GoodToken, GoodToken }));
        });
    }

    [Test]
    public async Task Health_WithoutToken_IsOpen()
    {
        using var client = _server.CreateClient(token: null);

        using var response = await client.GetAsync("health");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task SyncRoutes_WithoutValidator_AcceptAnyRequest()
    {
        _server.Options.TokenValidator = null;
        using var noToken = _server.CreateClient(token: null);
        using var anyToken = _server.CreateClient("whatever");

        using var pull = await noToken.GetAsync("sync/pull");
        var push = await PushOneAsync(anyToken, "d", Op("create", "post", Guid.NewGuid().ToString("N"), data: new JsonObject()));

        Assert.Multiple(() =>
        {
            Assert.That(pull.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(push["status"]!.GetValue<string>(), Is.EqualTo("applied"));
        });
    }
}
