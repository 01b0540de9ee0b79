using System.Collections.Concurrent;
using ReactiveSync.Downloads;
using ReactiveSync.Model;

namespace ReactiveSync.Tests.Downloads;

/// <summary>
/// Content held in memory, served like the server does (strong ETag, Range honoured only when If-Range matches), with
/// a byte count, a log of requests, an optional cut of the next response after N bytes, an optional gate that holds
/// responses until released, and an optional hook before each read.
/// </summary>
internal sealed class MemoryContentSource : IContentSource
{
    private readonly ConcurrentDictionary<string, (byte[] Bytes, string ETag)> _content = new(StringComparer.Ordinal);
    private long _served;
    private int _version;

    public ConcurrentQueue<(string ResourceId, long Offset, string? IfRange)> Requests { get; } = new();

    /// <summary>Cut the next response after this many bytes (a connection reset), then serve normally.</summary>
    public long? CutNextAfterBytes { get; set; }

    /// <summary>When set, every read waits on it (one release per read), to hold downloads mid-way.</summary>
    public SemaphoreSlim? ReadGate { get; set; }

    /// <summary>Called before each read with the bytes the response has sent so far (on the reading thread).</summary>
    public Action<long>? BeforeRead { get; set; }

    /// <summary>Whether responses report their length (false mimics a server that does not say).</summary>
    public bool ReportLength { get; set; } = true;

    public int Running;

    public int MaxRunning;

    public long BytesServed => Interlocked.Read(ref _served);

    public byte[] Put(string resourceId, int size, int seed = 1)
    {
        var bytes = new byte[size];
        new Random(seed).NextBytes(bytes);
        _content[resourceId] = (bytes, $"\"v{Interlocked.Increment(ref _version)}\"");
        return bytes;
    }

    public Task<ContentInfo> GetInfoAsync(string resourceId, CancellationToken cancellationToken) =>
        _content.TryGetValue(resourceId, out var c)
            ? Task.FromResult(new ContentInfo(c.Bytes.Length, c.ETag, true))
            : throw new SyncException(SyncError.Of(SyncErrorType.Unknown, "404", statusCode: 404));

    public Task<ContentResponse> OpenReadAsync(string resourceId, long offset, string? ifRangeETag, CancellationToken cancellationToken)
    {
        Requests.Enqueue((resourceId, offset, ifRangeETag));
        if (!_content.TryGetValue(resourceId, out var c))
        {
            throw new SyncException(SyncError.Of(SyncErrorType.Unknown, $"No content for '{resourceId}'.", statusCode: 404));
        }

        var partial = offset > 0 && ifRangeETag == c.ETag;
        var start = partial ? offset : 0;
        var cut = CutNextAfterBytes;
        CutNextAfterBytes = null;
        var stream = new ServedStream(this, c.Bytes, (int)start, cut);
        return Task.FromResult(new ContentResponse(stream, start, ReportLength ? c.Bytes.Length : null, c.ETag, true, partial));
    }

    private sealed class ServedStream : Stream
    {
        private readonly MemoryContentSource _owner;
        private readonly byte[] _bytes;
        private readonly long? _cutAfter;
        private int _position;
        private long _sent;
        private bool _counted;

        public ServedStream(MemoryContentSource owner, byte[] bytes, int start, long? cutAfter)
        {
            _owner = owner;
            _bytes = bytes;
            _position = start;
            _cutAfter = cutAfter;
            var running = Interlocked.Increment(ref owner.Running);
            int max;
            while ((max = Volatile.Read(ref owner.MaxRunning)) < running && Interlocked.CompareExchange(ref owner.MaxRunning, running, max) != max)
            {
            }

            _counted = true;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_owner.ReadGate is { } gate)
            {
                await gate.WaitAsync(cancellationToken);
            }

            cancellationToken.ThrowIfCancellationRequested();
            _owner.BeforeRead?.Invoke(_sent);
            var n = Math.Min(Math.Min(buffer.Length, 64 * 1024), _bytes.Length - _position);
            if (_cutAfter is { } cut)
            {
                if (_sent >= cut)
                {
                    throw new SyncException(SyncError.Of(SyncErrorType.Network, "The connection was reset."));
                }

                n = (int)Math.Min(n, cut - _sent);
            }

            _bytes.AsSpan(_position, n).CopyTo(buffer.Span);
            _position += n;
            _sent += n;
            Interlocked.Add(ref _owner._served, n);
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (_counted)
            {
                _counted = false;
                Interlocked.Decrement(ref _owner.Running);
            }

            base.Dispose(disposing);
        }
    }
}
