using ReactiveSync.Collections;

namespace ReactiveSync.Tests.Collections;

public class ChangeSetTests
{
    [Test]
    public void Constructor_MixedChanges_CountsEachKindAndKeepsOrder()
    {
        var changes = new[]
        {
            new Change<int, string>(ChangeReason.Add, "a", 1),
            new Change<int, string>(ChangeReason.Add, "b", 2),
            new Change<int, string>(ChangeReason.Update, "a", 3, 1),
            new Change<int, string>(ChangeReason.Remove, "b", 2),
            new Change<int, string>(ChangeReason.Refresh, "a", 3),
        };

        var set = new ChangeSet<int, string>(changes);

        Assert.Multiple(() =>
        {
            Assert.That(set, Is.EqualTo(changes));
            Assert.That((set.Count, set.Adds, set.Updates, set.Removes, set.Refreshes), Is.EqualTo((5, 2, 1, 1, 1)));
            Assert.That(set[2], Is.EqualTo(changes[2]));
        });
    }

    [Test]
    public void Constructor_CopiesTheChanges()
    {
        var changes = new List<Change<int, string>> { new(ChangeReason.Add, "a", 1) };
        var set = new ChangeSet<int, string>(changes);

        changes.Clear();

        Assert.That(set, Has.Count.EqualTo(1));
    }

    [Test]
    public void Empty_HasNoChanges()
    {
        var empty = ChangeSet<int, string>.Empty;
        Assert.That((empty.Count, empty.Adds, empty.Updates, empty.Removes, empty.Refreshes), Is.EqualTo((0, 0, 0, 0, 0)));
    }

    [Test]
    public void Constructor_Null_Throws()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => _ = new ChangeSet<int, string>(null!));
        Assert.That(ex!.ParamName, Is.EqualTo("changes"));
    }
}
