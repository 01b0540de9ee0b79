using System.Net;
using System.Text.Json.Nodes;
using ReactiveSync.IntegrationTests.Support;

namespace ReactiveSync.IntegrationTests.Server;

[Category("Integration")]
public sealed class HealthEndpointTests
{
    [Test]
    public async Task Health_Get_AnswersOkJsonWithDate()
    {
        await using var server = await TestServer.StartAsync();
        using var client = server.CreateClient(token: null);

        using var response = await client.GetAsync("health");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("application/json"));
            Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync())!.ToJsonString(), Is.EqualTo("""{"status":"ok"}"""));
            Assert.That(response.Headers.Date, Is.Not.Null);
        });
    }
}
