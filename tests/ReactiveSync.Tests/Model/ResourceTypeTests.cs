using System.Text.Json;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Model;

public class ResourceTypeTests
{
    [Test]
    public void WellKnown_AreTheSeedsSevenKinds()
    {
        Assert.That(
            ResourceType.WellKnown.Select(t => t.Value),
            Is.EqualTo(new[] { "post", "comment", "message", "resource", "community", "user_profile", "media_attachment" }));
    }

    [Test]
    public void From_AppKind_EqualsAnotherFromSameName()
    {
        Assert.That(ResourceType.From("lesson_plan"), Is.EqualTo(ResourceType.From("lesson_plan")));
        Assert.That(ResourceType.From("post"), Is.EqualTo(ResourceType.Post));
    }

    [TestCase("")]
    [TestCase("has space")]
    [TestCase("../etc")]
    [TestCase("naïve")]
    public void From_InvalidName_ThrowsNamingValue(string name)
    {
        var ex = Assert.Throws<ArgumentException>(() => ResourceType.From(name));
        Assert.That(ex!.Message, Does.Contain($"'{name}'"));
    }

    [Test]
    public void From_TooLong_Throws()
    {
        Assert.Throws<ArgumentException>(() => ResourceType.From(new string('a', ResourceType.MaxLength + 1)));
    }

    [Test]
    public void Default_IsInvalid()
    {
        Assert.That(default(ResourceType).IsValid, Is.False);
        Assert.That(ResourceType.Post.IsValid, Is.True);
    }

    [Test]
    public void Json_RoundTripsAsName()
    {
        var json = JsonSerializer.Serialize(ResourceType.UserProfile);
        Assert.That(json, Is.EqualTo("\"user_profile\""));
        Assert.That(JsonSerializer.Deserialize<ResourceType>(json), Is.EqualTo(ResourceType.UserProfile));
    }

    [Test]
    public void Json_InvalidName_ThrowsJsonException()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize<ResourceType>("\"a b\""));
    }
}
