namespace ReactiveSync.Collections;

/// <summary>The changes made to a keyed collection by one edit, in the order they were made.</summary>
/// <remarks>
/// A change set is well formed: applying its changes in order to the state built from the change sets before it never
/// adds a key that is present nor updates, removes or refreshes a key that is absent.
/// </remarks>
/// <typeparam name="TObject">The type of the items.</typeparam>
/// <typeparam name="TKey">The type of the keys.</typeparam>
public interface IChangeSet<TObject, TKey> : IReadOnlyCollection<Change<TObject, TKey>>
    where TKey : notnull
{
    /// <summary>The number of Add changes.</summary>
    int Adds { get; }

    /// <summary>The number of Update changes.</summary>
    int Updates { get; }

    /// <summary>The number of Remove changes.</summary>
    int Removes { get; }

    /// <summary>The number of Refresh changes.</summary>
    int Refreshes { get; }
}
