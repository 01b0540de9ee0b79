using ReactiveSync.Collections;

namespace ReactiveSync.Tests.Collections;

public class ChangeTests
{
    [Test]
    public void Constructor_AddWithPrevious_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new Change<int, string>(ChangeReason.Add, "k", 1, Optional<int>.Some(0)));
        Assert.That(ex!.ParamName, Is.EqualTo("previous"));
    }

    [Test]
    public void Constructor_UpdateWithoutPrevious_Throws()
    {
        var ex = Assert.Throws<ArgumentException>(() => _ = new Change<int, string>(ChangeReason.Update, "k", 1));
        Assert.That(ex!.ParamName, Is.EqualTo("previous"));
    }

    [Test]
    public void Constructor_NullKey_Throws()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => _ = new Change<int, string>(ChangeReason.Add, null!, 1));
        Assert.That(ex!.ParamName, Is.EqualTo("key"));
    }

    [Test]
    public void Constructor_Defaults_AreUnsortedWithoutPrevious()
    {
        var change = new Change<int, string>(ChangeReason.Remove, "k", 1);
        Assert.Multiple(() =>
        {
            Assert.That(change.CurrentIndex, Is.EqualTo(-1));
            Assert.That(change.PreviousIndex, Is.EqualTo(-1));
            Assert.That(change.Previous.HasValue, Is.False);
        });
    }

    [Test]
    public void Equals_SameFields_AreEqual()
    {
        Assert.That(
            new Change<int, string>(ChangeReason.Update, "k", 2, 1, 3, 4),
            Is.EqualTo(new Change<int, string>(ChangeReason.Update, "k", 2, 1, 3, 4)));
    }
}
