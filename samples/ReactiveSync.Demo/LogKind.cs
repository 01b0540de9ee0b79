namespace ReactiveSync.Demo;

/// <summary>What a log line is about, for its colour.</summary>
internal enum LogKind
{
    Info,
    Success,
    Warning,
    Error,
    Conflict,
}
