namespace Haul.Fetching;

/// <summary>A response's body is in a content coding Haul cannot decode.</summary>
internal sealed class UnsupportedCodingException : IOException
{
    public UnsupportedCodingException(string message)
        : base(message)
    {
    }
}
