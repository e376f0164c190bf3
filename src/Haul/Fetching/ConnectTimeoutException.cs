namespace Haul.Fetching;

/// <summary>Thrown from the connect callback when a TCP connection is not established within the connect deadline.</summary>
public sealed class ConnectTimeoutException : IOException
{
    /// <summary>Creates the exception.</summary>
    public ConnectTimeoutException()
        : base("The connection was not established within the connect timeout.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    public ConnectTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and a cause.</summary>
    public ConnectTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
