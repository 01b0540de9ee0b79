using System.Reactive.Concurrency;
using System.Reactive.Linq;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using static Microsoft.Reactive.Testing.ReactiveTest;
using static ReactiveSync.Tests.Collections.ChangeSetText;

namespace ReactiveSync.Tests.Collections;

public class FilterTests
{
    private static Change<Person, string> Add(Person p) => new(ChangeReason.Add, p.Name, p);

    private static Change<Person, string> Update(Person p, Person previous) => new(ChangeReason.Update, p.Name, p, previous);

    private static Change<Person, string> Remove(Person p) => new(ChangeReason.Remove, p.Name, p);

    private static Change<Person, string> Refresh(Person p) => new(ChangeReason.Refresh, p.Name, p);

    private static bool IsAdult(Person p) => p.Age >= 18;

    [Test]
    public void Filter_Add_PassesMatchingItemsAndDropsEmptyChangeSets()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(new Person("a", 30)), Add(new Person("b", 8)))),
            OnNext(220, Set(Add(new Person("c", 5)))),
            OnCompleted<IChangeSet<Person, string>>(300));

        var res = scheduler.Start(() => xs.Filter(IsAdult).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=30"), OnCompleted<string>(300));
        xs.Subscriptions.AssertEqual(Subscribe(200, 300));
    }

    [Test]
    public void Filter_Update_BecomesUpdateAddRemoveOrNothingByWhetherOldAndNewPass()
    {
        var scheduler = new TestScheduler();
        Person a1 = new("a", 30), a2 = new("a", 40), a3 = new("a", 10), a4 = new("a", 12), a5 = new("a", 50);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a1))),
            OnNext(220, Set(Update(a2, a1))),    // both pass: Update
            OnNext(230, Set(Update(a3, a2))),    // stops passing: Remove of the old item
            OnNext(240, Set(Update(a4, a3))),    // neither passes: nothing
            OnNext(250, Set(Update(a5, a4))));   // starts passing: Add

        var res = scheduler.Start(() => xs.Filter(IsAdult).Select(Of));

        res.Messages.AssertEqual(
            OnNext(210, "+a=30"),
            OnNext(220, "~a=30>40"),
            OnNext(230, "-a=40"),
            OnNext(250, "+a=50"));
    }

    [Test]
    public void Filter_Remove_PassesOnlyRemovesOfPassingItems()
    {
        var scheduler = new TestScheduler();
        Person a = new("a", 30), b = new("b", 8);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a), Add(b))),
            OnNext(220, Set(Remove(b))),
            OnNext(230, Set(Remove(a))));

        var res = scheduler.Start(() => xs.Filter(IsAdult).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=30"), OnNext(230, "-a=30"));
    }

    [Test]
    public void Filter_Refresh_ReevaluatesTheMutatedItem()
    {
        var scheduler = new TestScheduler();
        Person a = new("a", 30), b = new("b", 8);
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(a), Add(b))),
            OnNext(220, Set(Refresh(a))),            // still passes: Refresh
            OnNext(230, Set(Refresh(b))),            // still fails: nothing
            OnNext(240, Set(Refresh(a), Refresh(b))),
            OnNext(250, Set(Refresh(a))));
        scheduler.ScheduleAbsolute(235, () => { a.Age = 15; b.Age = 20; });
        scheduler.ScheduleAbsolute(245, () => a.Age = 16);

        var res = scheduler.Start(() => xs.Filter(IsAdult).Select(Of));

        res.Messages.AssertEqual(
            OnNext(210, "+a=30"),
            OnNext(220, "!a=30"),
            OnNext(240, "-a=15 +b=20"));
    }

    [Test]
    public void Filter_WithoutSuppression_EmitsEmptyChangeSets()
    {
        var scheduler = new TestScheduler();
        var xs = scheduler.CreateHotObservable(OnNext(210, Set(Add(new Person("b", 8)))));

        var res = scheduler.Start(() => xs.Filter(IsAdult, suppressEmptyChangeSets: false).Select(Of));

        res.Messages.AssertEqual(OnNext(210, string.Empty));
    }

    [Test]
    public void Filter_PredicateThrows_EndsWithOnErrorAndUnsubscribes()
    {
        var scheduler = new TestScheduler();
        var boom = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(
            OnNext(210, Set(Add(new Person("a", 30)))),
            OnNext(220, Set(Add(new Person("b", 8)))));

        var res = scheduler.Start(() => xs.Filter(p => p.Name == "b" ? throw boom : true).Select(Of));

        res.Messages.AssertEqual(OnNext(210, "+a=30"), OnError<string>(220, boom));
        xs.Subscriptions.AssertEqual(Subscribe(200, 220));
    }

    [Test]
    public void Filter_SourceError_PassesThrough()
    {
        var scheduler = new TestScheduler();
        var boom = new InvalidOperationException("boom");
        var xs = scheduler.CreateHotObservable(OnError<IChangeSet<Person, string>>(210, boom));

        var res = scheduler.Start(() => xs.Filter(IsAdult).Select(Of));

        res.Messages.AssertEqual(OnError<string>(210, boom));
    }

    [Test]
    public void Filter_EachSubscription_KeepsItsOwnState()
    {
        using var cache = new SourceCache<Person, string>(p => p.Name);
        cache.AddOrUpdate(new Person("a", 30));
        var filtered = cache.Connect().Filter(IsAdult);
        var first = new ChangeSetReplayer<Person, string>();
        using var s1 = filtered.Subscribe(first);
        cache.AddOrUpdate(new Person("b", 40));
        var second = new ChangeSetReplayer<Person, string>();
        using var s2 = filtered.Subscribe(second);

        cache.Remove("a");

        Assert.Multiple(() =>
        {
            Assert.That(first.State.Keys, Is.EquivalentTo(new[] { "b" }));
            Assert.That(second.State.Keys, Is.EquivalentTo(new[] { "b" }));
            Assert.That(first.Violations.Concat(second.Violations), Is.Empty);
        });
    }

    [Test]
    public void Filter_NullArguments_ThrowNamingTheArgument()
    {
        IObservable<IChangeSet<Person, string>> source = Observable.Never<IChangeSet<Person, string>>();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => ((IObservable<IChangeSet<Person, string>>)null!).Filter(IsAdult))!.ParamName, Is.EqualTo("source"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => source.Filter(null!))!.ParamName, Is.EqualTo("predicate"));
        });
    }
}
