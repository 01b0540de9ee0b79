using System.Text.Json.Nodes;
using ReactiveSync.Conflicts;

namespace ReactiveSync.Tests.Conflicts;

public class ThreeWayJsonMergeTests
{
    // base, client, server, merged, conflicting fields (comma-separated)
    [TestCase("""{"a":1,"b":1}""", """{"a":2,"b":1}""", """{"a":1,"b":3}""", """{"a":2,"b":3}""", "")]
    [TestCase("""{"a":1}""", """{"a":2}""", """{"a":3}""", """{"a":2}""", "a")]
    [TestCase("""{"a":1}""", """{"a":2}""", """{"a":2}""", """{"a":2}""", "")]
    [TestCase("""{"a":1,"b":1}""", """{"b":1}""", """{"a":1,"b":2}""", """{"b":2}""", "")]
    [TestCase("""{"a":1,"b":1}""", """{"a":1,"b":1}""", """{"b":1}""", """{"b":1}""", "")]
    [TestCase("""{"a":1}""", """{"a":1}""", """{"a":1,"n":5}""", """{"a":1,"n":5}""", "")]
    [TestCase("""{"a":1}""", """{"a":1,"n":4}""", """{"a":1,"n":5}""", """{"a":1,"n":4}""", "n")]
    [TestCase("""{"a":1}""", """{}""", """{"a":2}""", """{}""", "a")]
    [TestCase("""{"a":1}""", """{"a":null}""", """{"a":1}""", """{"a":null}""", "")]
    [TestCase("""{"m":{"x":1,"y":1}}""", """{"m":{"x":2,"y":1}}""", """{"m":{"x":1,"y":2}}""", """{"m":{"x":2,"y":2}}""", "")]
    [TestCase("""{"m":{"x":1,"y":1}}""", """{"m":{"x":2,"y":1}}""", """{"m":{"x":3,"y":2}}""", """{"m":{"x":2,"y":2}}""", "m.x")]
    [TestCase("""{"m":{"d":{"k":1}}}""", """{"m":{"d":{"k":2}}}""", """{"m":{"d":{"k":3}}}""", """{"m":{"d":{"k":2}}}""", "m.d.k")]
    [TestCase("""{}""", """{"m":{"x":1}}""", """{"m":{"y":2}}""", """{"m":{"y":2,"x":1}}""", "")]
    [TestCase("""{"m":{"x":1}}""", """{"m":5}""", """{"m":{"x":2}}""", """{"m":5}""", "m")]
    [TestCase("""{"t":[1]}""", """{"t":[1,2]}""", """{"t":[1,3]}""", """{"t":[1,2]}""", "t")]
    public void Merge_Cases_GiveMergedDocumentAndConflicts(string baseJson, string client, string server, string merged, string conflicts)
    {
        var (result, conflicting) = ThreeWayJsonMerge.Merge(Parse(baseJson), Parse(client), Parse(server));

        Assert.That(JsonNode.DeepEquals(result, Parse(merged)), Is.True, result.ToJsonString());
        Assert.That(string.Join(",", conflicting), Is.EqualTo(conflicts));
    }

    [Test]
    public void Merge_DoesNotMutateArguments()
    {
        var baseObject = Parse("""{"m":{"x":1}}""");
        var client = Parse("""{"m":{"x":2}}""");
        var server = Parse("""{"m":{"x":3},"s":1}""");

        var (merged, _) = ThreeWayJsonMerge.Merge(baseObject, client, server);
        merged["m"]!["x"] = 99;

        Assert.That(baseObject.ToJsonString() + client.ToJsonString() + server.ToJsonString(),
            Is.EqualTo("""{"m":{"x":1}}{"m":{"x":2}}{"m":{"x":3},"s":1}"""));
    }

    private static JsonObject Parse(string json) => JsonNode.Parse(json)!.AsObject();
}
