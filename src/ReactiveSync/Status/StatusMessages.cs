using System.Globalization;
using System.Resources;
using ReactiveSync.Model;

namespace ReactiveSync.Status;

/// <summary>
/// The one-line message an app shows for an <see cref="OfflineStatus"/> (the seed's <c>getStatusMessage</c>): a pure
/// function over the status, with the strings in <c>StatusMessages.resx</c> so apps can translate them.
/// </summary>
/// <remarks>
/// <para>Precedence, first match wins: sign-in needed ("Sign in to sync your changes") &gt; offline ("Offline - Changes will
/// sync when connected" when anything is pending or failed, else "Offline") &gt; syncing ("Syncing...") &gt; conflicts
/// ("1 conflict needs your attention") &gt; failed ("2 changes failed to sync") &gt; paused ("Sync paused") &gt; pending
/// ("5 changes pending sync") &gt; all synced ("All changes synced"). What blocks everything comes first, then what explains
/// everything, then what needs the user, then plain progress.</para>
/// <para>Resource keys: SignInRequired, OfflineWithPending, Offline, Syncing, ConflictsOne, ConflictsMany, FailedOne,
/// FailedMany, Paused, PendingOne, PendingMany, AllSynced. The *One keys are used for a count of exactly 1, the *Many keys
/// (with <c>{0}</c> for the count) for every other count; languages with more plural forms need their own wording around that.</para>
/// </remarks>
public static class StatusMessages
{
    /// <summary>The library's own strings (English, neutral culture), with any satellite translations.</summary>
    public static ResourceManager ResourceManager { get; } = new("ReactiveSync.Status.StatusMessages", typeof(StatusMessages).Assembly);

    /// <summary>The message for <paramref name="status"/>, in <paramref name="culture"/> or the current UI culture.</summary>
    /// <param name="status">The status to describe.</param>
    /// <param name="culture">The language of the message and the format of its numbers; the current UI culture when null.</param>
    public static string For(OfflineStatus status, CultureInfo? culture = null) => For(status, ResourceManager, culture);

    /// <summary>
    /// The message for <paramref name="status"/> from the app's own <paramref name="resources"/> (same keys as ours);
    /// a key the app does not define falls back to the library's string.
    /// </summary>
    public static string For(OfflineStatus status, ResourceManager resources, CultureInfo? culture = null)
    {
        ArgumentNullException.ThrowIfNull(status);
        ArgumentNullException.ThrowIfNull(resources);
        culture ??= CultureInfo.CurrentUICulture;

        if (status.AuthenticationRequired)
        {
            return Text(resources, "SignInRequired", culture);
        }

        if (!status.IsOnline)
        {
            return Text(resources, status.PendingOperations > 0 || status.FailedOperations > 0 ? "OfflineWithPending" : "Offline", culture);
        }

        if (status.IsSyncing)
        {
            return Text(resources, "Syncing", culture);
        }

        if (status.Conflicts > 0)
        {
            return Counted(resources, "Conflicts", status.Conflicts, culture);
        }

        if (status.FailedOperations > 0)
        {
            return Counted(resources, "Failed", status.FailedOperations, culture);
        }

        if (status.IsPaused)
        {
            return Text(resources, "Paused", culture);
        }

        return status.PendingOperations > 0
            ? Counted(resources, "Pending", status.PendingOperations, culture)
            : Text(resources, "AllSynced", culture);
    }

    private static string Counted(ResourceManager resources, string key, long count, CultureInfo culture) =>
        count == 1
            ? Text(resources, key + "One", culture)
            : string.Format(culture, Text(resources, key + "Many", culture), count.ToString("N0", culture));

    private static string Text(ResourceManager resources, string key, CultureInfo culture) =>
        resources.GetString(key, culture)
        ?? ResourceManager.GetString(key, culture)
        ?? throw new MissingManifestResourceException($"The status message '{key}' is missing from the resources.");
}
