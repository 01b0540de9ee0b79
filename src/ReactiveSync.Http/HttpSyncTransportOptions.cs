namespace ReactiveSync.Http;

/// <summary>Settings of the HTTP transport and content source; the defaults suit most apps.</summary>
public sealed record HttpSyncTransportOptions
{
    /// <summary>The default options.</summary>
    public static HttpSyncTransportOptions Default { get; } = new();

    /// <summary>
    /// How long a call may take, measured on the injected scheduler: a whole push or pull including its body, or until
    /// the headers of a content download (its body is read at the reader's pace). Default 30 s;
    /// <see cref="Timeout.InfiniteTimeSpan"/> turns it off.
    /// </summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>A token whose known expiry is closer than this (by the scheduler's clock) is renewed before it is used. Default 1 minute.</summary>
    public TimeSpan TokenRenewalMargin { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>The <c>User-Agent</c> sent with every request. Default <c>ReactiveSync/1.0</c>.</summary>
    public string UserAgent { get; init; } = "ReactiveSync/1.0";

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid field.</summary>
    internal HttpSyncTransportOptions Validate()
    {
        if (Timeout <= TimeSpan.Zero && Timeout != System.Threading.Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentException($"{nameof(Timeout)} must be positive or infinite, was {Timeout}.", nameof(Timeout));
        }

        if (TokenRenewalMargin < TimeSpan.Zero)
        {
            throw new ArgumentException($"{nameof(TokenRenewalMargin)} cannot be negative, was {TokenRenewalMargin}.", nameof(TokenRenewalMargin));
        }

        if (string.IsNullOrWhiteSpace(UserAgent) || !System.Net.Http.Headers.ProductInfoHeaderValue.TryParse(UserAgent.Split(' ')[0], out _))
        {
            throw new ArgumentException($"{nameof(UserAgent)} must be a valid User-Agent product such as 'App/1.0', was '{UserAgent}'.", nameof(UserAgent));
        }

        return this;
    }
}
