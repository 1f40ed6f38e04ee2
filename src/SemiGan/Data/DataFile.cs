namespace SemiGan.Data;

/// <summary>One IDX file of a dataset: its name (without .gz), IDX rank and the SHA-256 of its uncompressed contents.</summary>
public sealed record DataFile(string Name, int Rank, string Sha256);
