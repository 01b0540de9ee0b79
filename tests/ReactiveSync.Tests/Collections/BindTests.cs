using System.Collections.ObjectModel;
using System.Collections.Specialized;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;

namespace ReactiveSync.Tests.Collections;

public class BindTests
{
    private static SourceCache<Person, string> NewCache() => new(p => p.Name);

    private static List<string> Events(ReadOnlyObservableCollection<Person> collection)
    {
        var events = new List<string>();
        ((INotifyCollectionChanged)collection).CollectionChanged += (_, e) => events.Add(e.Action switch
        {
            NotifyCollectionChangedAction.Add => $"add@{e.NewStartingIndex}",
            NotifyCollectionChangedAction.Remove => $"remove@{e.OldStartingIndex}",
            NotifyCollectionChangedAction.Replace => $"replace@{e.NewStartingIndex}",
            NotifyCollectionChangedAction.Move => $"move@{e.OldStartingIndex}>{e.NewStartingIndex}",
            _ => e.Action.ToString(),
        });
        return events;
    }

    private static string Text(IEnumerable<Person> people) => string.Join(' ', people.Select(p => $"{p.Name}={p.Age}"));

    [Test]
    public void Bind_Unsorted_AddKeepsInsertionOrder()
    {
        using var cache = NewCache();
        cache.AddOrUpdate([new Person("c", 3), new Person("a", 1)]);
        using var _ = cache.Connect().Bind(out var items).Subscribe();

        cache.AddOrUpdate(new Person("b", 2));

        Assert.That(Text(items), Is.EqualTo("c=3 a=1 b=2"));
    }

    [Test]
    public void Bind_Unsorted_UpdateReplacesInPlace()
    {
        using var cache = NewCache();
        cache.AddOrUpdate([new Person("a", 1), new Person("b", 2), new Person("c", 3)]);
        using var _ = cache.Connect().Bind(out var items).Subscribe();
        var events = Events(items);

        cache.AddOrUpdate(new Person("b", 20));

        Assert.Multiple(() =>
        {
            Assert.That(Text(items), Is.EqualTo("a=1 b=20 c=3"));
            Assert.That(events, Is.EqualTo(new[] { "replace@1" }));
        });
    }

    [Test]
    public void Bind_Unsorted_RemoveRemovesTheItem()
    {
        using var cache = NewCache();
        cache.AddOrUpdate([new Person("a", 1), new Person("b", 2), new Person("c", 3)]);
        using var _ = cache.Connect().Bind(out var items).Subscribe();

        cache.Remove("b");
        cache.AddOrUpdate(new Person("b", 4));

        Assert.That(Text(items), Is.EqualTo("a=1 c=3 b=4"));
    }

    [Test]
    public void Bind_Unsorted_RefreshReplacesTheItemWithItselfSoViewsReread()
    {
        using var cache = NewCache();
        var b = new Person("b", 2);
        cache.AddOrUpdate([new Person("a", 1), b]);
        using var _ = cache.Connect().Bind(out var items).Subscribe();
        var events = Events(items);

        b.Age = 7;
        cache.Refresh("b");

        Assert.Multiple(() =>
        {
            Assert.That(items[1], Is.SameAs(b));
            Assert.That(events, Is.EqualTo(new[] { "replace@1" }));
        });
    }

    [Test]
    public void Bind_Sorted_AddInsertsInSortedOrder()
    {
        using var cache = NewCache();
        cache.AddOrUpdate([new Person("c", 3), new Person("a", 1)]);
        using var _ = cache.Connect().Sort(Person.ByAge).Bind(out var items).Subscribe();
        var events = Events(items);

        cache.AddOrUpdate(new Person("b", 2));

        Assert.Multiple(() =>
        {
            Assert.That(Text(items), Is.EqualTo("a=1 b=2 c=3"));
            Assert.That(events, Is.EqualTo(new[] { "add@1" }));
        });
    }

    [Test]
    public void Bind_Sorted_UpdateMovesTheItemToItsNewPlace()
    {
        using var cache = NewCache();
        cache.AddOrUpdate([new Person("a", 1), new Person("b", 2), new Person("c", 3)]);
        using var _ = cache.Connect().Sort(Person.ByAge).Bind(out var items).Subscribe();
        var events = Events(items);

        cache.AddOrUpdate(new Person("a", 9));
        cache.AddOrUpdate(new Person("c", 3));

        Assert.Multiple(() =>
        {
            Assert.That(Text(items), Is.EqualTo("b=2 c=3 a=9"));
            Assert.That(events, Is.EqualTo(new[] { "remove@0", "add@2", "replace@1" }));
        });
    }

    [Test]
    public void Bind_Sorted_RemoveRemovesAtItsIndex()
    {
        using var cache = NewCache();
        cache.AddOrUpdate([new Person("a", 1), new Person("b", 2), new Person("c", 3)]);
        using var _ = cache.Connect().Sort(Person.ByAge).Bind(out var items).Subscribe();
        var events = Events(items);

        cache.Remove("b");

        Assert.Multiple(() =>
        {
            Assert.That(Text(items), Is.EqualTo("a=1 c=3"));
            Assert.That(events, Is.EqualTo(new[] { "remove@1" }));
        });
    }

    [Test]
    public void Bind_Sorted_RefreshMovesAMutatedItem()
    {
        using var cache = NewCache();
        var a = new Person("a", 1);
        cache.AddOrUpdate([a, new Person("b", 2), new Person("c", 3)]);
        using var _ = cache.Connect().Sort(Person.ByAge).Bind(out var items).Subscribe();
        var events = Events(items);

        a.Age = 5;
        cache.Refresh("a");

        Assert.Multiple(() =>
        {
            Assert.That(Text(items), Is.EqualTo("b=2 c=3 a=5"));
            Assert.That(events, Is.EqualTo(new[] { "move@0>2" }));
        });
    }

    [Test]
    public void Bind_FilteredTransformedSorted_StaysEqualToTheQueryOfTheCache()
    {
        using var cache = NewCache();
        using var _ = cache.Connect()
            .Filter(p => p.Age % 3 != 0)
            .Sort(Person.ByAge)
            .Transform(p => new Person(p.Name.ToUpperInvariant(), p.Age))
            .Bind(out var items)
            .Subscribe();
        var random = new Random(3);

        for (var i = 0; i < 300; i++)
        {
            var name = ((char)('a' + random.Next(10))).ToString();
            if (random.Next(4) == 0)
            {
                cache.Remove(name);
            }
            else
            {
                cache.AddOrUpdate(new Person(name, random.Next(10)));
            }

            var expected = cache.Items.Where(p => p.Age % 3 != 0).Select(p => p.Age).Order();
            Assert.That(items.Select(p => p.Age), Is.EqualTo(expected), $"after edit {i}");
            Assert.That(items.Select(p => p.Name.ToLowerInvariant()), Is.EquivalentTo(cache.Items.Where(p => p.Age % 3 != 0).Select(p => p.Name)));
        }
    }

    [Test]
    public void Bind_AfterObserveOn_UpdatesTheCollectionOnlyWhenTheSchedulerRuns()
    {
        var scheduler = new TestScheduler();
        using var cache = NewCache();
        using var _ = cache.Connect().ObserveOn(scheduler).Bind(out var items).Subscribe();

        cache.AddOrUpdate(new Person("a", 1));
        Assert.That(items, Is.Empty);

        scheduler.AdvanceBy(1);
        Assert.That(Text(items), Is.EqualTo("a=1"));
    }

    [Test]
    public void Bind_ChangeSets_PassThroughUnchanged()
    {
        using var cache = NewCache();
        var seen = new List<IChangeSet<Person, string>>();
        using var s1 = cache.Connect().Bind(out _).Subscribe(seen.Add);

        cache.AddOrUpdate(new Person("a", 1));

        Assert.That(seen.Single().Single().Key, Is.EqualTo("a"));
    }

    [Test]
    public void Bind_NullSource_ThrowsNamingIt()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => ((IObservable<IChangeSet<Person, string>>)null!).Bind(out _));
        Assert.That(ex!.ParamName, Is.EqualTo("source"));
    }
}
