namespace ReactiveSync.Http.Wire;

/// <summary>The body of a non-200 answer: <c>{"error":{...}}</c>.</summary>
internal sealed class ErrorBodyDto
{
    public ErrorDto? Error { get; set; }
}
