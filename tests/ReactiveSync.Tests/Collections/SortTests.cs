using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using static Microsoft.Reactive.Testing.ReactiveTest;
using static ReactiveSync.Tests.Collections.ChangeSetText;

namespace ReactiveSync.Tests.Collections;

public class SortTests
{
    private static Change<Person, string> Add(Person p) => new(ChangeReason.Add, p.Name, p);

    private static Change<Person, string> Update(Person p, Person previous) => new(ChangeReason.Update, p.Name, p, previous);

    private static Change<Person, string> Remove(Person p) => new(ChangeReason.Remove, p.Name, p);

    private static Change<Person, string> Refresh(Person p) => new(ChangeReason.Refresh, p.Name, p);

    [Test]
    public void Sort_FirstChangeSetOfAdds_ComesInSortedOrderWithIndexesFromZero()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(new Person("c", 3)), Add(new Person("a", 1)), Add(new Person("x", 2)), Add(new Person("b", 2)))));

        var res = scheduler.Start(() => xs.Sort(Person.ByAge).Select(Of));

        // Equal ages keep arrival order.
        res.Messages.AssertEqual(OnNext(210, "+a=1@0 +x=2@1 +b=2@2 +c=3@3"));
    }

    [Test]
    public void Sort_Add_InsertsAtItsSortedIndexAfterEqualItems()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(new Person("a", 1)), Add(new Person("c", 3)))),
            OnNext(220, Set(Add(new Person("b", 2)), Add(new Person("z", 0)), Add(new Person("d", 3)))));

        var res = scheduler.Start(() => xs.Sort(Person.ByAge).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=1@0 +c=3@1"), OnNext(220, "+b=2@1 +z=0@0 +d=3@4"));
    }

    [Test]
    public void Sort_Update_CarriesOldAndNewIndexAndKeepsPlaceWhenStillInOrder()
    {
        var scheduler = new TestScheduler();
        Person a1 = new("a", 1), a5 = new("a", 5), b = new("b", 2), b2 = new("b", 2), c = new("c", 3);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a1), Add(b), Add(c))),
            OnNext(220, Set(Update(a5, a1))),          // moves from 0 to the end
            OnNext(230, Set(Update(b2, b))));          // same age: stays at 0

        var res = scheduler.Start(() => xs.Sort(Person.ByAge).Select(Of));

        res.Messages.AssertEqual(
            OnNext(210, "+a=1@0 +b=2@1 +c=3@2"),
            OnNext(220, "~a=1>5@0>2"),
            OnNext(230, "~b=2>2@0>0"));
    }

    [Test]
    public void Sort_Remove_CarriesTheIndexItWasRemovedFrom()
    {
        var scheduler = new TestScheduler();
        Person a = new("a", 1), b = new("b", 2), c = new("c", 3);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a), Add(b), Add(c))),
            OnNext(220, Set(Remove(b), Remove(c))));

        var res = scheduler.Start(() => xs.Sort(Person.ByAge).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=1@0 +b=2@1 +c=3@2"), OnNext(220, "-b=2@1 -c=3@1"));
    }

    [Test]
    public void Sort_Refresh_ResortsTheMutatedItemAndSaysWhereItMoved()
    {
        var scheduler = new TestScheduler();
        Person a = new("a", 1), b = new("b", 2), c = new("c", 3);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a), Add(b), Add(c))),
            OnNext(220, Set(Refresh(b))),              // not mutated: same index
            OnNext(230, Set(Refresh(a))));
        scheduler.ScheduleAbsolute(225, () => a.Age = 10);

        var res = scheduler.Start(() => xs.Sort(Person.ByAge).Select(Of));

        res.Messages.AssertEqual(
            OnNext(210, "+a=1@0 +b=2@1 +c=3@2"),
            OnNext(220, "!b=2@1>1"),
            OnNext(230, "!a=10@0>2"));
    }

    [Test]
    public void Sort_ComparerThrows_EndsWithOnError()
    {
        var scheduler = new TestScheduler();
        var boom = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(OnNext(210, Set(Add(new Person("a", 1)), Add(new Person("b", 2)))));

        var res = scheduler.Start(() => xs.Sort(Comparer<Person>.Create((_, _) => throw boom)).Select(Of));

        res.Messages.AssertEqual(OnError<string>(210, boom));
    }

    [Test]
    public void Sort_RandomEditsOfACache_IndexesAlwaysReplayToTheSortedContents()
    {
        using var cache = new SourceCache<Person, string>(p => p.Name);
        var replayer = new ChangeSetReplayer<Person, string>(checkIndexes: true);
        using var _ = cache.Connect().Sort(Person.ByAge).Subscribe(replayer);
        var random = new Random(7);

        for (var i = 0; i < 500; i++)
        {
            var mutated = ((char)('a' + random.Next(12))).ToString();
            if (random.Next(4) == 0 && cache.Lookup(mutated) is { HasValue: true } held)
            {
                // Mutate in place, then say so at once: what Refresh is for.
                held.Value.Age = random.Next(6);
                cache.Refresh(mutated);
            }
            else
            {
                cache.Edit(u =>
                {
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        var name = ((char)('a' + random.Next(12))).ToString();
                        switch (random.Next(3))
                        {
                            case 0: u.Remove(name); break;
                            case 1: u.Refresh(name); break;
                            default: u.AddOrUpdate(new Person(name, random.Next(6))); break;
                        }
                    }
                });
            }

            var ages = replayer.Order.Select(key => cache.Lookup(key).Value.Age).ToList();
            Assert.That(ages, Is.Ordered, $"after edit {i}");
            Assert.That(replayer.Order, Is.EquivalentTo(cache.Keys), $"after edit {i}");
        }

        Assert.That(replayer.Violations, Is.Empty);
    }

    [Test]
    public void Sort_NullArguments_ThrowNamingTheArgument()
    {
        IObservable<IChangeSet<Person, string>> source = Observable.Never<IChangeSet<Person, string>>();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => ((IObservable<IChangeSet<Person, string>>)null!).Sort(Person.ByAge))!.ParamName, Is.EqualTo("source"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => source.Sort(null!))!.ParamName, Is.EqualTo("comparer"));
        });
    }
}
