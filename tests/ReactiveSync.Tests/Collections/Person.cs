namespace ReactiveSync.Tests.Collections;

/// <summary>A test item keyed by name whose age can mutate in place (what Refresh is for).</summary>
public sealed class Person(string name, int age)
{
    public string Name { get; } = name;

    public int Age { get; set; } = age;

    public static IComparer<Person> ByAge { get; } = Comparer<Person>.Create(static (x, y) => x.Age.CompareTo(y.Age));

    public override string ToString() => Age.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
