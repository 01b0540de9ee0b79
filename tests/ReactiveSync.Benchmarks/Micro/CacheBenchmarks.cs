using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using ReactiveSync.Collections;

namespace ReactiveSync.Benchmarks.Micro;

/// <summary>
/// The observable cache (<see cref="SourceCache{TObject, TKey}"/> and its operators) against a plain
/// <see cref="Dictionary{TKey, TValue}"/> or <see cref="List{T}"/> doing the same work without change sets (the baseline of
/// each category), per item, over <see cref="Items"/> items.
/// </summary>
[MemoryDiagnoser]
[GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
[CategoriesColumn]
public class CacheBenchmarks
{
    /// <summary>Items per invocation.</summary>
    public const int Items = 1_000;

    /// <summary>Updates per invocation in the live category.</summary>
    public const int Updates = 100;

    private static readonly IComparer<Item> ByName = Comparer<Item>.Create(static (x, y) => string.CompareOrdinal(x.Name, y.Name));

    private readonly Item[] _items = Enumerable.Range(0, Items).Select(static i => new Item(i, i % 4, $"item {(i * 7919) % Items:D5}")).ToArray();
    private readonly Dictionary<int, Item> _dictionary = [];
    private SourceCache<Item, int> _cache = null!;

    /// <summary>An item of the cache: a key, a group to filter on, a name to sort by.</summary>
    public sealed record Item(int Id, int Group, string Name);

    /// <summary>A projection, as a view model row would be.</summary>
    public sealed record Row(int Id, string Title);

    [GlobalSetup]
    public void Setup()
    {
        _cache = new SourceCache<Item, int>(static item => item.Id);
        _cache.AddOrUpdate(_items);
        foreach (var item in _items)
        {
            _dictionary[item.Id] = item;
        }
    }

    [GlobalCleanup]
    public void Cleanup() => _cache.Dispose();

    [Benchmark(Baseline = true, OperationsPerInvoke = Items), BenchmarkCategory("AddOrUpdate")]
    public int Dictionary_Set()
    {
        var dictionary = new Dictionary<int, Item>();
        foreach (var item in _items)
        {
            dictionary[item.Id] = item;
        }

        return dictionary.Count;
    }

    [Benchmark(OperationsPerInvoke = Items), BenchmarkCategory("AddOrUpdate")]
    public int SourceCache_AddOrUpdate_OneByOne()
    {
        using var cache = new SourceCache<Item, int>(static item => item.Id);
        foreach (var item in _items)
        {
            cache.AddOrUpdate(item);
        }

        return cache.Count;
    }

    [Benchmark(OperationsPerInvoke = Items), BenchmarkCategory("AddOrUpdate")]
    public int SourceCache_AddOrUpdate_OneBatch()
    {
        using var cache = new SourceCache<Item, int>(static item => item.Id);
        cache.AddOrUpdate(_items);
        return cache.Count;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Items), BenchmarkCategory("Connect+Filter")]
    public int Linq_Where() => _dictionary.Values.Where(static item => item.Group == 0).ToList().Count;

    [Benchmark(OperationsPerInvoke = Items), BenchmarkCategory("Connect+Filter")]
    public int Cache_Connect_Filter() => Initial(_cache.Connect().Filter(static item => item.Group == 0));

    [Benchmark(Baseline = true, OperationsPerInvoke = Items), BenchmarkCategory("Connect+Transform")]
    public int Linq_Select() => _dictionary.Values.Select(static item => new Row(item.Id, item.Name)).ToList().Count;

    [Benchmark(OperationsPerInvoke = Items), BenchmarkCategory("Connect+Transform")]
    public int Cache_Connect_Transform() => Initial(_cache.Connect().Transform(static item => new Row(item.Id, item.Name)));

    [Benchmark(Baseline = true, OperationsPerInvoke = Items), BenchmarkCategory("Connect+Sort")]
    public int List_Sort()
    {
        var list = _dictionary.Values.ToList();
        list.Sort(ByName);
        return list.Count;
    }

    [Benchmark(OperationsPerInvoke = Items), BenchmarkCategory("Connect+Sort")]
    public int Cache_Connect_Sort() => Initial(_cache.Connect().Sort(ByName));

    /// <summary>Hand-kept sorted list of one group: each update found by key, removed, inserted where it sorts.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Updates), BenchmarkCategory("Live Filter+Sort updates")]
    public int SortedList_Updates()
    {
        var dictionary = new Dictionary<int, Item>(_dictionary);
        var list = dictionary.Values.Where(static item => item.Group == 0).ToList();
        list.Sort(ByName);
        for (var i = 0; i < Updates; i++)
        {
            var updated = Updated(i);
            dictionary[updated.Id] = updated;
            list.RemoveAt(list.FindIndex(item => item.Id == updated.Id));
            var at = list.BinarySearch(updated, ByName);
            list.Insert(at < 0 ? ~at : at, updated);
        }

        return list.Count;
    }

    /// <summary>The same view as a cache pipeline bound to a collection; the setup (connect, first sort) is part of it, as in the baseline.</summary>
    [Benchmark(OperationsPerInvoke = Updates), BenchmarkCategory("Live Filter+Sort updates")]
    public int Cache_Filter_Sort_Bind_Updates()
    {
        using var cache = new SourceCache<Item, int>(static item => item.Id);
        cache.AddOrUpdate(_items);
        using var subscription = cache.Connect().Filter(static item => item.Group == 0).Sort(ByName).Bind(out var view).Subscribe();
        for (var i = 0; i < Updates; i++)
        {
            cache.AddOrUpdate(Updated(i));
        }

        return view.Count;
    }

    private static int Initial<T>(IObservable<IChangeSet<T, int>> changes)
        where T : notnull
    {
        var count = 0;
        using (changes.Subscribe(changeSet => count += changeSet.Count))
        {
        }

        return count;
    }

    // Items of group 0 (ids 0, 4, 8, ...) renamed so they move in the sorted order.
    private Item Updated(int i)
    {
        var item = _items[(i * 4 * 37) % Items];
        return item with { Name = $"item {(item.Id * 31 + i) % Items:D5}b" };
    }
}
