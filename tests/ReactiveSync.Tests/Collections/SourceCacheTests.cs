using System.Reactive.Concurrency;
using System.Reactive.Linq;
using System.Runtime.CompilerServices;
using Microsoft.Reactive.Testing;
using ReactiveSync.Collections;
using static Microsoft.Reactive.Testing.ReactiveTest;

namespace ReactiveSync.Tests.Collections;

public class SourceCacheTests
{
    private static SourceCache<Person, string> NewCache(params Person[] people)
    {
        var cache = new SourceCache<Person, string>(p => p.Name);
        cache.AddOrUpdate(people);
        return cache;
    }

    private static List<string> Record<T>(IObservable<T> source, Func<T, string> describe, out IDisposable subscription)
    {
        var log = new List<string>();
        subscription = source.Subscribe(x => log.Add(describe(x)), e => log.Add("error " + e.Message), () => log.Add("completed"));
        return log;
    }

    private static List<string> Record(IObservable<IChangeSet<Person, string>> source) =>
        Record(source, ChangeSetText.Of, out _);

    [Test]
    public void Constructor_NullKeySelector_Throws()
    {
        var ex = Assert.Throws<ArgumentNullException>(() => _ = new SourceCache<Person, string>(null!));
        Assert.That(ex!.ParamName, Is.EqualTo("keySelector"));
    }

    [Test]
    public void Edit_SeveralChanges_PublishesExactlyOneChangeSetInEditOrder()
    {
        using var cache = NewCache(new Person("a", 1), new Person("b", 2));
        var log = Record(cache.Connect());

        cache.Edit(u =>
        {
            u.AddOrUpdate(new Person("c", 3));
            u.AddOrUpdate(new Person("a", 10));
            u.Remove("b");
            u.Refresh("c");
        });

        Assert.That(log, Is.EqualTo(new[] { "+a=1 +b=2", "+c=3 ~a=1>10 -b=2 !c=3" }));
    }

    [Test]
    public void Edit_ChangingNothing_PublishesNothing()
    {
        using var cache = NewCache(new Person("a", 1));
        var log = Record(cache.Connect());

        cache.Edit(_ => { });
        cache.Remove("missing");
        cache.Refresh("missing");
        cache.Remove(Array.Empty<string>());
        cache.Edit(u => u.RemoveItem(new Person("missing", 0)));

        Assert.That(log, Is.EqualTo(new[] { "+a=1" }));
    }

    [Test]
    public void Clear_EmptyCache_PublishesNothing()
    {
        using var cache = NewCache();
        var log = Record(cache.Connect(suppressEmptyChangeSets: false));

        cache.Clear();

        Assert.That(log, Is.EqualTo(new[] { string.Empty }));
    }

    [Test]
    public void AddOrUpdate_ExistingKey_PublishesUpdateCarryingPreviousItem()
    {
        using var cache = NewCache(new Person("a", 1));
        var changes = new List<IChangeSet<Person, string>>();
        using var _ = cache.Connect().Subscribe(changes.Add);
        var replacement = new Person("a", 2);

        cache.AddOrUpdate(replacement);

        var update = changes[1].Single();
        Assert.Multiple(() =>
        {
            Assert.That(update.Reason, Is.EqualTo(ChangeReason.Update));
            Assert.That(update.Current, Is.SameAs(replacement));
            Assert.That(update.Previous.Value.Age, Is.EqualTo(1));
            Assert.That(changes[1].Updates, Is.EqualTo(1));
            Assert.That(cache.Lookup("a").Value, Is.SameAs(replacement));
        });
    }

    [Test]
    public void AddOrUpdate_SameItemAgain_PublishesUpdateAsDynamicDataDoes()
    {
        var a = new Person("a", 1);
        using var cache = NewCache(a);
        var log = Record(cache.Connect());

        cache.AddOrUpdate(a);

        Assert.That(log, Is.EqualTo(new[] { "+a=1", "~a=1>1" }));
    }

    [Test]
    public void Remove_PresentKeys_PublishesRemovesOfTheItems()
    {
        using var cache = NewCache(new Person("a", 1), new Person("b", 2), new Person("c", 3));
        var log = Record(cache.Connect());

        cache.Remove(["a", "missing", "c"]);
        cache.Edit(u => u.RemoveItem(new Person("b", 99)));

        Assert.Multiple(() =>
        {
            Assert.That(log, Is.EqualTo(new[] { "+a=1 +b=2 +c=3", "-a=1 -c=3", "-b=2" }));
            Assert.That(cache.Count, Is.Zero);
        });
    }

    [Test]
    public void Clear_PublishesOneRemovePerItem()
    {
        using var cache = NewCache(new Person("a", 1), new Person("b", 2));
        var changes = new List<IChangeSet<Person, string>>();
        using var _ = cache.Connect().Skip(1).Subscribe(changes.Add);

        cache.Clear();

        Assert.Multiple(() =>
        {
            Assert.That(changes, Has.Count.EqualTo(1));
            Assert.That(changes[0].Removes, Is.EqualTo(2));
            Assert.That(changes[0].Select(c => c.Key), Is.EquivalentTo(new[] { "a", "b" }));
            Assert.That(cache.Items, Is.Empty);
        });
    }

    [Test]
    public void Refresh_AllItems_PublishesOneRefreshPerItem()
    {
        using var cache = NewCache(new Person("a", 1), new Person("b", 2));
        var log = Record(cache.Connect());

        cache.Refresh("b");
        cache.Refresh();

        Assert.That(log, Is.EqualTo(new[] { "+a=1 +b=2", "!b=2", "!a=1 !b=2" }));
    }

    [Test]
    public void Edit_ActionThrows_UndoesTheEditAndPublishesNothing()
    {
        using var cache = NewCache(new Person("a", 1), new Person("b", 2));
        var log = Record(cache.Connect());

        Assert.Throws<InvalidOperationException>(() => cache.Edit(u =>
        {
            u.AddOrUpdate(new Person("a", 10));
            u.Remove("b");
            u.AddOrUpdate(new Person("c", 3));
            u.Clear();
            throw new InvalidOperationException("boom");
        }));

        Assert.Multiple(() =>
        {
            Assert.That(log, Is.EqualTo(new[] { "+a=1 +b=2" }));
            Assert.That(cache.Items.Select(p => $"{p.Name}={p.Age}"), Is.EquivalentTo(new[] { "a=1", "b=2" }));
        });
    }

    [Test]
    public void Edit_InsideAnEditOfTheSameCache_Throws()
    {
        using var cache = NewCache();

        Assert.Throws<InvalidOperationException>(() => cache.Edit(_ => cache.AddOrUpdate(new Person("a", 1))));
        Assert.That(cache.Count, Is.Zero);
    }

    [Test]
    public void Connect_SubscribedInsideAnEdit_Throws()
    {
        using var cache = NewCache();

        Assert.Throws<InvalidOperationException>(() => cache.Edit(_ => cache.Connect().Subscribe()));
    }

    [Test]
    public void Edit_UpdaterUsedAfterTheEdit_Throws()
    {
        using var cache = NewCache();
        ISourceUpdater<Person, string>? kept = null;
        cache.Edit(u => kept = u);

        Assert.Throws<InvalidOperationException>(() => kept!.AddOrUpdate(new Person("a", 1)));
    }

    [Test]
    public void Edit_NullArguments_ThrowNamingTheArgument()
    {
        using var cache = NewCache();
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => cache.Edit(null!))!.ParamName, Is.EqualTo("updateAction"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => cache.Remove((string)null!))!.ParamName, Is.EqualTo("key"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => cache.AddOrUpdate((IEnumerable<Person>)null!))!.ParamName, Is.EqualTo("items"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => cache.Lookup(null!))!.ParamName, Is.EqualTo("key"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => cache.Watch(null!))!.ParamName, Is.EqualTo("key"));
        });
    }

    [Test]
    public void Lookup_PresentAndAbsentKeys_ReturnsOptional()
    {
        using var cache = NewCache(new Person("a", 1));

        Assert.Multiple(() =>
        {
            Assert.That(cache.Lookup("a").Value.Age, Is.EqualTo(1));
            Assert.That(cache.Lookup("b").HasValue, Is.False);
            Assert.That(cache.Keys, Is.EqualTo(new[] { "a" }));
            Assert.That(cache.Count, Is.EqualTo(1));
        });
    }

    [Test]
    public void Connect_EmptyCache_EmitsNothingUntilTheFirstEdit()
    {
        using var cache = NewCache();
        var log = Record(cache.Connect());
        Assert.That(log, Is.Empty);

        cache.AddOrUpdate(new Person("a", 1));

        Assert.That(log, Is.EqualTo(new[] { "+a=1" }));
    }

    [Test]
    public void Connect_EmptyCacheWithoutSuppression_EmitsAnEmptyChangeSetFirst()
    {
        using var cache = NewCache();
        var changes = new List<IChangeSet<Person, string>>();
        using var _ = cache.Connect(suppressEmptyChangeSets: false).Subscribe(changes.Add);

        Assert.That(changes.Single(), Is.Empty);
    }

    [Test]
    public void Connect_WithPredicate_FiltersTheContentsAndLaterChanges()
    {
        using var cache = NewCache(new Person("adult", 30), new Person("child", 8));
        var log = Record(cache.Connect(p => p.Age >= 18));

        cache.AddOrUpdate(new Person("teen", 15));          // filtered out: nothing emitted
        cache.AddOrUpdate(new Person("child", 18));         // starts passing: Add
        cache.AddOrUpdate(new Person("adult", 12));         // stops passing: Remove

        Assert.That(log, Is.EqualTo(new[] { "+adult=30", "+child=18", "-adult=30" }));
    }

    [Test]
    public void Connect_WithPredicateWithoutSuppression_EmitsChangeSetsThatFilteredToEmpty()
    {
        using var cache = NewCache(new Person("child", 8));
        var log = Record(cache.Connect(p => p.Age >= 18, suppressEmptyChangeSets: false));

        cache.AddOrUpdate(new Person("teen", 15));

        Assert.That(log, Is.EqualTo(new[] { string.Empty, string.Empty }));
    }

    [Test]
    public void Connect_OnVirtualTime_EmitsSnapshotAtSubscribeThenEachEditWhenItHappens()
    {
        var scheduler = new TestScheduler();
        using var cache = NewCache(new Person("a", 1));
        scheduler.ScheduleAbsolute(150, () => cache.AddOrUpdate(new Person("b", 2)));   // before subscribe: in the snapshot
        scheduler.ScheduleAbsolute(250, () => cache.AddOrUpdate(new Person("a", 5)));
        scheduler.ScheduleAbsolute(300, () => cache.Edit(u => { u.Remove("b"); u.AddOrUpdate(new Person("c", 3)); }));
        scheduler.ScheduleAbsolute(350, () => cache.Remove("missing"));                   // no change: nothing at 350
        scheduler.ScheduleAbsolute(400, cache.Dispose);

        var res = scheduler.Start(() => cache.Connect().Select(ChangeSetText.Of), created: 100, subscribed: 200, disposed: 1000);

        res.Messages.AssertEqual(
            OnNext(200, "+a=1 +b=2"),
            OnNext(250, "~a=1>5"),
            OnNext(300, "-b=2 +c=3"),
            OnCompleted<string>(400));
    }

    [Test]
    public void Connect_SubscriptionDisposed_ReceivesNothingMore()
    {
        using var cache = NewCache(new Person("a", 1));
        var log = Record(cache.Connect(), ChangeSetText.Of, out var subscription);

        subscription.Dispose();
        subscription.Dispose();
        cache.AddOrUpdate(new Person("b", 2));
        cache.Dispose();

        Assert.That(log, Is.EqualTo(new[] { "+a=1" }));
    }

    [Test]
    public void Connect_ObserverEditsTheCache_NestedChangeIsDeliveredAfterTheCurrentCallNotInsideIt()
    {
        using var cache = NewCache();
        var replayer = new ChangeSetReplayer<Person, string>();
        var log = new List<string>();
        using var _ = cache.Connect().Subscribe(changes =>
        {
            replayer.OnNext(changes);
            log.Add("begin " + ChangeSetText.Of(changes));
            if (changes.Any(c => c.Key == "a" && c.Reason == ChangeReason.Add))
            {
                cache.AddOrUpdate(new Person("b", 2));
            }

            log.Add("end");
        });

        cache.AddOrUpdate(new Person("a", 1));

        Assert.Multiple(() =>
        {
            Assert.That(log, Is.EqualTo(new[] { "begin +a=1", "end", "begin +b=2", "end" }));
            Assert.That(replayer.Violations, Is.Empty);
        });
    }

    [Test]
    public void Connect_ObserverCallback_RunsOutsideTheCacheLock()
    {
        using var cache = NewCache();
        var otherThreadGotIn = false;
        using var _ = cache.Connect().Subscribe(changes =>
        {
            // Another thread can edit while this callback runs: it would block forever if we held the lock.
            if (changes.Any(c => c.Key == "a"))
            {
                otherThreadGotIn = Task.Run(() => cache.AddOrUpdate(new Person("b", 2))).Wait(TimeSpan.FromSeconds(10));
            }
        });

        cache.AddOrUpdate(new Person("a", 1));

        Assert.Multiple(() =>
        {
            Assert.That(otherThreadGotIn, Is.True);
            Assert.That(cache.Count, Is.EqualTo(2));
        });
    }

    [Test]
    public void Watch_PresentKey_EmitsCurrentItemThenOnlyThatKeysChanges()
    {
        using var cache = NewCache(new Person("a", 1), new Person("b", 2));
        var log = Record(cache.Watch("a"), ChangeSetText.Of, out _);

        cache.AddOrUpdate(new Person("b", 20));
        cache.AddOrUpdate(new Person("a", 10));
        cache.Refresh("a");
        cache.Remove("a");
        cache.AddOrUpdate(new Person("a", 100));
        cache.Dispose();

        Assert.That(log, Is.EqualTo(new[] { "+a=1", "~a=1>10", "!a=10", "-a=10", "+a=100", "completed" }));
    }

    [Test]
    public void Watch_AbsentKey_EmitsNothingUntilAdded()
    {
        using var cache = NewCache(new Person("b", 2));
        var log = Record(cache.Watch("a"), ChangeSetText.Of, out _);
        Assert.That(log, Is.Empty);

        cache.AddOrUpdate(new Person("a", 1));

        Assert.That(log, Is.EqualTo(new[] { "+a=1" }));
    }

    [Test]
    public void CountChanged_EmitsCurrentCountThenEachDistinctCount()
    {
        using var cache = NewCache(new Person("a", 1));
        var log = Record(cache.CountChanged, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture), out _);

        cache.AddOrUpdate(new Person("b", 2));
        cache.AddOrUpdate(new Person("b", 3));                               // update: same count, nothing
        cache.Refresh();                                                     // refresh: same count, nothing
        cache.Edit(u => { u.Remove("a"); u.AddOrUpdate(new Person("c", 1)); }); // net zero: nothing
        cache.Clear();
        cache.Dispose();

        Assert.That(log, Is.EqualTo(new[] { "1", "2", "0", "completed" }));
    }

    [Test]
    public void CountChanged_EmptyCache_EmitsZeroAtOnce()
    {
        using var cache = NewCache();
        var log = Record(cache.CountChanged, n => n.ToString(System.Globalization.CultureInfo.InvariantCulture), out _);

        Assert.That(log, Is.EqualTo(new[] { "0" }));
    }

    [Test]
    public void Dispose_CompletesEverySubscriberOnceAndLaterSubscribersAtOnce()
    {
        var cache = NewCache(new Person("a", 1));
        var connect = Record(cache.Connect(), ChangeSetText.Of, out _);
        var watch = Record(cache.Watch("a"), ChangeSetText.Of, out _);

        cache.Dispose();
        cache.Dispose();
        var late = Record(cache.Connect());

        Assert.Multiple(() =>
        {
            Assert.That(connect, Is.EqualTo(new[] { "+a=1", "completed" }));
            Assert.That(watch, Is.EqualTo(new[] { "+a=1", "completed" }));
            Assert.That(late, Is.EqualTo(new[] { "completed" }));
            Assert.Throws<ObjectDisposedException>(() => cache.AddOrUpdate(new Person("b", 2)));
            Assert.That(cache.Lookup("a").HasValue, Is.True);
        });
    }

    [Test]
    public void Edit_ConcurrentEditorsAndSubscribers_EverySubscriberRebuildsTheCacheFromWellFormedSerializedChangeSets()
    {
        const int editors = 4;
        const int editsPerEditor = 2_500;
        using var cache = new SourceCache<Entry, int>(e => e.Id);
        var sharedInFlight = new StrongBox<int>();
        var replayers = new System.Collections.Concurrent.ConcurrentBag<ChangeSetReplayer<Entry, int>>();
        var subscriptions = new System.Collections.Concurrent.ConcurrentBag<IDisposable>();

        void Subscribe()
        {
            var replayer = new ChangeSetReplayer<Entry, int>(sharedInFlight: sharedInFlight);
            replayers.Add(replayer);
            subscriptions.Add(cache.Connect().Subscribe(replayer));
        }

        Subscribe();
        using var start = new Barrier(editors + 1);
        var tasks = Enumerable.Range(0, editors).Select(editor => Task.Run(() =>
        {
            var random = new Random(editor);
            start.SignalAndWait();
            for (var i = 0; i < editsPerEditor; i++)
            {
                var id = random.Next(40);
                switch (random.Next(10))
                {
                    case < 4: cache.AddOrUpdate(new Entry(id, editor * editsPerEditor + i)); break;
                    case < 6: cache.Remove(id); break;
                    case 6: cache.Refresh(id); break;
                    case 7 when random.Next(50) == 0: cache.Clear(); break;
                    default:
                        cache.Edit(u =>
                        {
                            for (var n = random.Next(1, 6); n > 0; n--)
                            {
                                var key = random.Next(40);
                                if (random.Next(3) == 0)
                                {
                                    u.Remove(key);
                                }
                                else
                                {
                                    u.AddOrUpdate(new Entry(key, -i));
                                }
                            }
                        });
                        break;
                }
            }
        })).Append(Task.Run(() =>
        {
            // Subscribers joining mid-stream prove the snapshot/changes hand-over has no gap and no duplicate.
            start.SignalAndWait();
            for (var i = 0; i < 24; i++)
            {
                Subscribe();
                Thread.Yield();
            }
        })).ToArray();

        Assert.That(Task.WaitAll(tasks, TimeSpan.FromSeconds(60)), Is.True, "editors did not finish");
        var expected = cache.Items.ToDictionary(e => e.Id);

        Assert.Multiple(() =>
        {
            Assert.That(replayers, Has.Count.EqualTo(25));
            foreach (var replayer in replayers)
            {
                Assert.That(replayer.Violations, Is.Empty);
                Assert.That(replayer.State, Is.EquivalentTo(expected));
            }
        });

        foreach (var subscription in subscriptions)
        {
            subscription.Dispose();
        }
    }

    private sealed record Entry(int Id, int Version);
}
