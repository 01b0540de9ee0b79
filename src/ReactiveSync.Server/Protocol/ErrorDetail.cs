namespace ReactiveSync.Server.Protocol;

/// <summary>What went wrong: a type and a human-readable message.</summary>
/// <param name="Type">The kind of error.</param>
/// <param name="Message">A message for logs and users.</param>
public sealed record ErrorDetail(ErrorKind Type, string Message);
