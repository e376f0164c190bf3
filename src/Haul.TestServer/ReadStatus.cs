namespace Haul.TestServer;

/// <summary>Outcome of reading one request head.</summary>
internal enum ReadStatus
{
    Request,
    EndOfStream,
    TooLarge,
    Malformed,
}
