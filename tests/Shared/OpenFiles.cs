namespace ReactiveSync.TestSupport;

/// <summary>The files this process holds open, from /proc/self/fd (Linux only: mark the tests that use it).</summary>
internal static class OpenFiles
{
    /// <summary>How many open descriptors point at <paramref name="path"/> or a file whose path starts with it (its -wal and -shm too).</summary>
    public static int CountUnder(string path) =>
        new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos()
            .Count(fd => fd.LinkTarget is { } target && target.StartsWith(path, StringComparison.Ordinal));
}
