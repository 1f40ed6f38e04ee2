namespace SemiGan.Tests;

/// <summary>The repository root, found by walking up from the test binaries to SemiGan.sln.</summary>
public static class RepoRoot
{
    public static string Path { get; } = Find();

    static string Find()
    {
        for (var d = new DirectoryInfo(AppContext.BaseDirectory); d is not null; d = d.Parent)
            if (File.Exists(System.IO.Path.Combine(d.FullName, "SemiGan.sln"))) return d.FullName;
        throw new InvalidOperationException("SemiGan.sln not found above " + AppContext.BaseDirectory);
    }
}
