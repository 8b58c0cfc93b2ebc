namespace Hark;

/// <summary>How far a long job is, as a fraction in [0, 1], with an optional short status.</summary>
public readonly record struct ProgressReport(double Fraction, string? Status = null);
