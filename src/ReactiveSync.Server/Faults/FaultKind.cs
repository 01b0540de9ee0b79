namespace ReactiveSync.Server.Faults;

/// <summary>A fault injected into one request.</summary>
public enum FaultKind
{
    /// <summary>No fault: the request is handled normally.</summary>
    None,

    /// <summary>Answered 429 with <c>Retry-After</c>, not handled.</summary>
    TooManyRequests,

    /// <summary>Answered 500, not handled.</summary>
    InternalServerError,

    /// <summary>Answered 503 with <c>Retry-After</c>, not handled.</summary>
    ServiceUnavailable,

    /// <summary>Handled, then the connection is aborted after part of the response body.</summary>
    Abort,
}
