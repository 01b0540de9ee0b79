using ReactiveSync.Model;

namespace ReactiveSync.Http.Wire;

/// <summary>An error as the protocol writes it: <c>{"type":"validation","message":"..."}</c>.</summary>
internal sealed class ErrorDto
{
    public SyncErrorType? Type { get; set; }

    public string? Message { get; set; }
}
