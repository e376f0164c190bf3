namespace Haul.Journal;

/// <summary>Whether a crawl's page was taken on under its page limit (<see cref="ISharedJobJournal.AdmitPageAsync"/>), and how many the job has taken on.</summary>
/// <param name="Admitted">The page may be fetched.</param>
/// <param name="Taken">Pages the job has taken on, by every worker.</param>
public sealed record PageAdmission(bool Admitted, int Taken);
