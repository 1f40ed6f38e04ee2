namespace SemiGan.Data;

/// <summary>Bad or missing data files. The message is one line naming the file and the fix.</summary>
public sealed class DataException(string message) : Exception(message);
