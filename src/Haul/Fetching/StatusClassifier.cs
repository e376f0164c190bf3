namespace Haul.Fetching;

/// <summary>The failure a response status stands for, when it is neither a success nor a redirect.</summary>
internal static class StatusClassifier
{
    /// <summary>429 and 503 push back, 408 and 5xx are the server's trouble, 401, 403, 404, 410 and other 4xx are the request's, 416 a range that no longer fits.</summary>
    public static FailureReason Classify(int status) => status switch
    {
        429 => FailureReason.TooManyRequests,
        503 => FailureReason.ServiceUnavailable,
        408 => FailureReason.RequestTimeout,
        401 => FailureReason.Unauthorized,
        403 => FailureReason.Forbidden,
        404 => FailureReason.NotFound,
        410 => FailureReason.Gone,
        416 => FailureReason.RangeMismatch,
        >= 500 => FailureReason.ServerError,
        >= 400 => FailureReason.ClientError,
        _ => FailureReason.UnexpectedStatus,
    };
}
