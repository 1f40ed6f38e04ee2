namespace SemiGan.Data;

/// <summary>
/// A Debian package holding the files: 'apt-get download' fetches the .deb into a temporary folder (no root
/// needed, nothing installed) and 'dpkg -x' unpacks it there. The package lists must be current; the program
/// never runs 'apt-get update' itself, it says so.
/// </summary>
public sealed record DebianPackageSource(string Package, string FolderInPackage) : PackageSource(Package, FolderInPackage)
{
    public override string Command => $"apt-get download {Package}";

    public override string Unpack(string tmp, DatasetDescriptor d, Action<string> log)
    {
        log($"running '{Command}'");
        string manual = "or put the four IDX files in the data folder and pass --data <folder>";
        ExternalTool.Run("apt-get", ["download", Package], tmp,
            notInstalled: $"{d.DisplayName}: no public mirror reachable and apt-get is not available (Debian/Ubuntu); {manual}.",
            failed: why => $"{d.DisplayName}: '{Command}' failed ({why}); run 'apt-get update' (as root) once and retry, {manual}.");
        string deb = Directory.GetFiles(tmp, "*.deb").FirstOrDefault()
            ?? throw new DataException($"{d.DisplayName}: '{Command}' wrote no .deb; {manual}.");
        string root = Path.Combine(tmp, "x");
        ExternalTool.Run("dpkg", ["-x", deb, root], tmp,
            notInstalled: $"{d.DisplayName}: dpkg is not available to unpack {Path.GetFileName(deb)}; {manual}.",
            failed: why => $"{d.DisplayName}: 'dpkg -x {Path.GetFileName(deb)}' failed ({why}); {manual}.");
        return Path.Combine(root, FolderInPackage);
    }
}
