using ReactiveSync.Collections;

namespace ReactiveSync.Tests.Collections;

/// <summary>
/// Writes change sets as short text so marble tests compare them with <c>AssertEqual</c>:
/// <c>+k=v</c> Add, <c>~k=old&gt;new</c> Update, <c>-k=v</c> Remove, <c>!k=v</c> Refresh; sorted changes add
/// <c>@i</c> (Add, Remove) or <c>@from&gt;to</c> (Update, Refresh). Changes are separated by spaces.
/// </summary>
public static class ChangeSetText
{
    public static string Of<TObject, TKey>(IChangeSet<TObject, TKey> changes)
        where TKey : notnull =>
        string.Join(' ', changes.Select(Of));

    public static string Of<TObject, TKey>(Change<TObject, TKey> change)
        where TKey : notnull
    {
        var indexes = change.Reason switch
        {
            ChangeReason.Add or ChangeReason.Remove when change.CurrentIndex >= 0 => $"@{change.CurrentIndex}",
            ChangeReason.Update or ChangeReason.Refresh when change.CurrentIndex >= 0 => $"@{change.PreviousIndex}>{change.CurrentIndex}",
            _ => string.Empty,
        };
        return change.Reason switch
        {
            ChangeReason.Add => $"+{change.Key}={change.Current}{indexes}",
            ChangeReason.Update => $"~{change.Key}={change.Previous.Value}>{change.Current}{indexes}",
            ChangeReason.Remove => $"-{change.Key}={change.Current}{indexes}",
            _ => $"!{change.Key}={change.Current}{indexes}",
        };
    }

    public static ChangeSet<TObject, TKey> Set<TObject, TKey>(params Change<TObject, TKey>[] changes)
        where TKey : notnull =>
        new(changes);
}
