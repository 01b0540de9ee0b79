using ReactiveSync.Collections;

namespace ReactiveSync.Tests.Collections;

public class OptionalTests
{
    [Test]
    public void None_HasNoValueAndThrowsOnValue()
    {
        var none = Optional<string>.None;
        Assert.Multiple(() =>
        {
            Assert.That(none.HasValue, Is.False);
            Assert.Throws<InvalidOperationException>(() => _ = none.Value);
            Assert.That(none.ValueOr("fallback"), Is.EqualTo("fallback"));
        });
    }

    [Test]
    public void Some_NullValue_IsStillAValue()
    {
        var some = Optional<string?>.Some(null);
        Assert.Multiple(() =>
        {
            Assert.That(some.HasValue, Is.True);
            Assert.That(some.Value, Is.Null);
            Assert.That(some, Is.Not.EqualTo(Optional<string?>.None));
        });
    }

    [Test]
    public void Equals_ComparesPresenceAndValue()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Optional<int>.Some(1) == 1, Is.True);
            Assert.That(Optional<int>.Some(1) != Optional<int>.Some(2), Is.True);
            Assert.That(Optional<int>.None, Is.EqualTo(default(Optional<int>)));
        });
    }
}
