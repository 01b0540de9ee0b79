using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using static Microsoft.Reactive.Testing.ReactiveTest;
using static ReactiveSync.Tests.Collections.ChangeSetText;

namespace ReactiveSync.Tests.Collections;

public class TransformTests
{
    private static Change<Person, string> Add(Person p, int index = -1) => new(ChangeReason.Add, p.Name, p, default, index);

    private static Change<Person, string> Update(Person p, Person previous) => new(ChangeReason.Update, p.Name, p, previous);

    private static Change<Person, string> Remove(Person p) => new(ChangeReason.Remove, p.Name, p);

    private static Change<Person, string> Refresh(Person p) => new(ChangeReason.Refresh, p.Name, p);

    [Test]
    public void Transform_EveryChangeKind_MapsAsDocumented()
    {
        var scheduler = new TestScheduler();
        Person a1 = new("a", 1), a2 = new("a", 2);
        var calls = 0;
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a1))),
            OnNext(220, Set(Update(a2, a1))),
            OnNext(230, Set(Refresh(a2))),
            OnNext(240, Set(Remove(a2))),
            OnCompleted<IChangeSet<Person, string>>(300));

        var res = scheduler.Start(() => xs.Transform(p => { calls++; return $"<{p.Age}>"; }).Select(Of));

        res.Messages.AssertEqual(
            OnNext(210, "+a=<1>"),
            OnNext(220, "~a=<1>><2>"),
            OnNext(230, "!a=<2>"),          // Refresh passes through with the earlier projection
            OnNext(240, "-a=<2>"),          // Remove reports the earlier projection
            OnCompleted<string>(300));
        Assert.That(calls, Is.EqualTo(2), "only Add and Update call the factory");
    }

    [Test]
    public void Transform_SortedChanges_KeepTheirIndexes()
    {
        var scheduler = new TestScheduler();
        Person a = new("a", 1), b = new("b", 2);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a, 0), Add(b, 1))),
            OnNext(220, Set(new Change<Person, string>(ChangeReason.Refresh, "a", a, default, 1, 0))));

        var res = scheduler.Start(() => xs.Transform(p => p.Age * 10).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=10@0 +b=20@1"), OnNext(220, "!a=10@0>1"));
    }

    [Test]
    public void Transform_FactoryThrows_EndsWithOnError()
    {
        var scheduler = new TestScheduler();
        var boom = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(new Person("a", 1)))),
            OnNext(220, Set(Add(new Person("b", 2)))));

        var res = scheduler.Start(() => xs.Transform(p => p.Name == "b" ? throw boom : p.Age).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=1"), OnError<string>(220, boom));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void Transform_OfACache_ReplaysToTheProjectedContents()
    {
        using var cache = new SourceCache<Person, string>(p => p.Name);
        cache.AddOrUpdate([new Person("a", 1), new Person("b", 2)]);
        var replayer = new ChangeSetReplayer<int, string>();
        using var _ = cache.Connect().Transform(p => p.Age * 10).Subscribe(replayer);

        cache.Edit(u => { u.AddOrUpdate(new Person("c", 3)); u.AddOrUpdate(new Person("a", 4)); u.Remove("b"); u.Refresh("c"); });

        Assert.Multiple(() =>
        {
            Assert.That(replayer.Violations, Is.Empty);
            Assert.That(replayer.State, Is.EquivalentTo(new Dictionary<string, int> { ["a"] = 40, ["c"] = 30 }));
        });
    }

    [Test]
    public void Transform_NullArguments_ThrowNamingTheArgument()
    {
        IObservable<IChangeSet<Person, string>> source = Observable.Never<IChangeSet<Person, string>>();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => ((IObservable<IChangeSet<Person, string>>)null!).Transform(p => p.Age))!.ParamName, Is.EqualTo("source"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => source.Transform((Func<Person, int>)null!))!.ParamName, Is.EqualTo("transformFactory"));
        });
    }
}
