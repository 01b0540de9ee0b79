using System.Net;

namespace ReactiveSync.Http.Internal;

/// <summary>
/// Streams a caller's stream as a request body without owning it (it is never disposed here). A seekable stream
/// can be sent again (after a 401 renewal); a forward-only one cannot.
/// </summary>
internal sealed class UploadContent : HttpContent
{
    private const int BufferSize = 81920;
    private readonly Stream _stream;
    private readonly long _start;
    private bool _sent;

    public UploadContent(Stream stream)
    {
        _stream = stream;
        _start = stream.CanSeek ? stream.Position : 0;
    }

    public bool CanReplay => _stream.CanSeek;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_sent)
        {
            if (!_stream.CanSeek)
            {
                throw new InvalidOperationException("A forward-only upload stream cannot be sent twice.");
            }

            _stream.Position = _start;
        }

        _sent = true;
        await _stream.CopyToAsync(stream, BufferSize, cancellationToken).ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        if (_stream.CanSeek)
        {
            length = _stream.Length - _start;
            return true;
        }

        length = 0;
        return false;
    }
}
