using System.Text.Json.Nodes;
using ReactiveSync.Conflicts;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Conflicts;

public class JsonMergePatchDiffTests
{
    [TestCase("""{"a":1}""", """{"a":1}""", "{}")]
    [TestCase("""{"a":1}""", """{"a":2}""", """{"a":2}""")]
    [TestCase("""{"a":1,"b":2}""", """{"a":1}""", """{"b":null}""")]
    [TestCase("""{"a":1}""", """{"a":1,"b":[1,2]}""", """{"b":[1,2]}""")]
    [TestCase("""{"m":{"x":1,"y":2}}""", """{"m":{"x":1,"y":3}}""", """{"m":{"y":3}}""")]
    [TestCase("""{"m":{"x":1}}""", """{"m":{"x":1}}""", "{}")]
    [TestCase("""{"m":{"x":1}}""", """{"m":5}""", """{"m":5}""")]
    [TestCase("""{"m":5}""", """{"m":{"x":1,"n":null}}""", """{"m":{"x":1}}""")]
    [TestCase("""{"t":[1,2]}""", """{"t":[2,1]}""", """{"t":[2,1]}""")]
    [TestCase("""[1]""", """{"a":1}""", """{"a":1}""")]
    [TestCase("""{"a":1}""", """[1]""", """[1]""")]
    [TestCase("null", """{"a":1}""", """{"a":1}""")]
    public void Diff_Documents_GivesMinimalPatch(string source, string target, string expected)
    {
        var patch = JsonMergePatchDiff.Diff(JsonNode.Parse(source), JsonNode.Parse(target));

        Assert.That(patch?.ToJsonString(), Is.EqualTo(JsonNode.Parse(expected)!.ToJsonString()));
    }

    [TestCase("""{"title":"t","body":"b","meta":{"x":1,"z":{"q":1}},"tags":[0]}""", """{"title":"u","meta":{"x":1,"z":{"q":2,"r":3}},"tags":[0,1],"new":true}""")]
    [TestCase("""{"a":{"b":{"c":1}}}""", """{"a":{"b":{}}}""")]
    [TestCase("""{"a":1}""", "{}")]
    [TestCase("{}", """{"a":{"b":[{"c":null}]}}""")]
    public void Diff_ThenApply_GivesTarget(string source, string target)
    {
        var sourceNode = JsonNode.Parse(source);
        var targetNode = JsonNode.Parse(target);

        var result = JsonMergePatch.Apply(sourceNode, JsonMergePatchDiff.Diff(sourceNode, targetNode));

        Assert.That(JsonNode.DeepEquals(result, targetNode), Is.True, result?.ToJsonString());
    }

    [Test]
    public void Diff_TargetMemberNull_ComesOutAbsent()
    {
        var source = JsonNode.Parse("""{"a":1,"b":2}""");
        var target = JsonNode.Parse("""{"a":null,"b":2,"c":null}""");

        var result = JsonMergePatch.Apply(source, JsonMergePatchDiff.Diff(source, target));

        Assert.That(result!.ToJsonString(), Is.EqualTo("""{"b":2}"""));
    }

    [Test]
    public void Diff_DoesNotMutateArguments()
    {
        var source = JsonNode.Parse("""{"m":{"x":1},"gone":1}""")!;
        var target = JsonNode.Parse("""{"m":{"x":2,"n":null}}""")!;

        var patch = JsonMergePatchDiff.Diff(source, target)!;
        patch["m"]!["x"] = 99;

        Assert.That(source.ToJsonString(), Is.EqualTo("""{"m":{"x":1},"gone":1}"""));
        Assert.That(target.ToJsonString(), Is.EqualTo("""{"m":{"x":2,"n":null}}"""));
    }
}
