namespace Haul.TestServer;

/// <summary>What the connection should do after a response.</summary>
internal enum ExchangeOutcome
{
    /// <summary>Keep the connection for the next request.</summary>
    KeepOpen,

    /// <summary>Close the connection cleanly.</summary>
    Close,

    /// <summary>The responder already reset or closed the socket.</summary>
    Gone,
}
