using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace SemiGan.Cli;

/// <summary>This program's version and the git commit it was built from (embedded by Directory.Build.targets; "unknown" without git).</summary>
public static class BuildInfo
{
    static readonly Assembly Self = typeof(BuildInfo).Assembly;

    /// <summary>The version without the "+commit" suffix the SDK appends.</summary>
    public static string Version =>
        (Self.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? Self.GetName().Version?.ToString() ?? "unknown").Split('+')[0];

    public static string Commit =>
        Self.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "GitCommit")?.Value is { Length: > 0 } c ? c : "unknown";

    public static string VersionLine => $"semigan {Version} (commit {Commit})";
}

/// <summary>`semigan --version`: the version and the commit (the default action prints the test host's version when run in-process).</summary>
sealed class VersionAction : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        parseResult.InvocationConfiguration.Output.WriteLine(BuildInfo.VersionLine);
        return 0;
    }
}
