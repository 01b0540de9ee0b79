using System.Text.Json.Nodes;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Model;

public class JsonMergePatchTests
{
    // The examples of RFC 7386, appendix A.
    [TestCase("{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}")]
    [TestCase("{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}")]
    [TestCase("{\"a\":\"b\"}", "{\"a\":null}", "{}")]
    [TestCase("{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}")]
    [TestCase("{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}")]
    [TestCase("{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}")]
    [TestCase("{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}")]
    [TestCase("{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}")]
    [TestCase("[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]")]
    [TestCase("{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]")]
    [TestCase("{\"a\":\"foo\"}", "null", "null")]
    [TestCase("{\"a\":\"foo\"}", "\"bar\"", "\"bar\"")]
    [TestCase("{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}")]
    [TestCase("[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}")]
    [TestCase("{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}")]
    public void Apply_Rfc7386Examples_GivesExpectedDocument(string target, string patch, string expected)
    {
        var result = JsonMergePatch.Apply(JsonNode.Parse(target), JsonNode.Parse(patch));

        Assert.That(result?.ToJsonString() ?? "null", Is.EqualTo(JsonNode.Parse(expected)?.ToJsonString() ?? "null"));
    }

    [Test]
    public void Apply_DoesNotMutateArguments()
    {
        var target = JsonNode.Parse("{\"a\":{\"b\":1}}")!;
        var patch = JsonNode.Parse("{\"a\":{\"b\":null}}")!;

        JsonMergePatch.Apply(target, patch);

        Assert.That(target.ToJsonString(), Is.EqualTo("{\"a\":{\"b\":1}}"));
        Assert.That(patch.ToJsonString(), Is.EqualTo("{\"a\":{\"b\":null}}"));
    }

    [TestCase("{\"title\":\"a\"}", "{\"body\":\"b\"}")]
    [TestCase("{\"title\":\"a\"}", "{\"title\":null}")]
    [TestCase("{\"title\":null}", "{\"title\":\"c\"}")]
    [TestCase("{\"meta\":{\"x\":1}}", "{\"meta\":{\"y\":2,\"x\":null}}")]
    [TestCase("{\"tags\":[1]}", "{\"tags\":[2,3]}")]
    public void Compose_ThenApply_EqualsApplyingBothInTurn(string first, string second)
    {
        var target = JsonNode.Parse("{\"title\":\"t\",\"body\":\"b0\",\"meta\":{\"x\":0,\"z\":9},\"tags\":[0]}");
        var p1 = JsonNode.Parse(first);
        var p2 = JsonNode.Parse(second);

        var sequential = JsonMergePatch.Apply(JsonMergePatch.Apply(target, p1), p2);
        var composed = JsonMergePatch.Apply(target, JsonMergePatch.Compose(p1, p2));

        Assert.That(JsonNode.DeepEquals(composed, sequential), Is.True, $"{composed?.ToJsonString()} vs {sequential?.ToJsonString()}");
    }

    [Test]
    public void FieldsOf_Patch_ListsTopLevelNames()
    {
        Assert.That(JsonMergePatch.FieldsOf(JsonNode.Parse("{\"a\":1,\"b\":null}")), Is.EqualTo(new[] { "a", "b" }));
        Assert.That(JsonMergePatch.FieldsOf(JsonNode.Parse("[1]")), Is.Empty);
    }
}
