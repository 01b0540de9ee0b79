namespace ReactiveSync.Collections;

/// <summary>Why an item appears in a change set, as in DynamicData.</summary>
public enum ChangeReason
{
    /// <summary>The key was not in the cache and now is.</summary>
    Add,

    /// <summary>The key was in the cache and now holds another item; <see cref="Change{TObject, TKey}.Previous"/> is the old one.</summary>
    Update,

    /// <summary>The key left the cache; <see cref="Change{TObject, TKey}.Current"/> is the item that was removed.</summary>
    Remove,

    /// <summary>The item is unchanged but its state may have mutated: downstream operators re-evaluate it (filter, sort).</summary>
    Refresh,
}
