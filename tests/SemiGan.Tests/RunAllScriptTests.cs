using System.Management.Automation.Language;
using SemiGan.Cli;

namespace SemiGan.Tests;

/// <summary>run-all.ps1 cannot be executed here (no PowerShell engine), so it is parsed with PowerShell's own parser.</summary>
public class RunAllScriptTests
{
    static readonly string ScriptPath = Path.Combine(RepoRoot.Path, "run-all.ps1");

    static ScriptBlockAst Parse()
    {
        var ast = Parser.ParseFile(ScriptPath, out _, out ParseError[] errors);
        Assert.True(errors.Length == 0, string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
        return ast;
    }

    [Fact]
    public void Script_parses_without_errors() => Parse();

    [Fact]
    public void Script_stops_on_first_failure()
    {
        var ast = Parse();
        var assignments = ast.FindAll(a => a is AssignmentStatementAst, true).Cast<AssignmentStatementAst>();
        Assert.Contains(assignments, a => a.Left.Extent.Text == "$ErrorActionPreference" && a.Right.Extent.Text.Contains("'Stop'"));
        // Native commands do not throw in PowerShell: every dotnet call must be followed by an exit-code check.
        Assert.Contains("$LASTEXITCODE -ne 0", ast.Extent.Text);
        Assert.Contains(ast.FindAll(a => a is ThrowStatementAst, true), _ => true);
    }

    [Fact]
    public void Script_names_experiments_that_exist_and_cli_arguments_that_parse()
    {
        var ast = Parse();
        var strings = ast.FindAll(a => a is StringConstantExpressionAst, true).Cast<StringConstantExpressionAst>()
            .Select(s => s.Value).ToHashSet();
        foreach (var name in new[] { "seed-1000", "sweep-labels", "quick" })
        {
            Assert.Contains(name, strings);
            Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "experiments", name + ".json")), name);
        }
        // The arguments the script passes must be accepted by the CLI's parser.
        var root = CliApp.Build();
        Assert.Empty(root.Parse(["data", "fetch"]).Errors);
        Assert.Empty(root.Parse(["report", "results"]).Errors);
        Assert.Contains("report", strings);
        Assert.Empty(root.Parse(["run", "experiments/seed-1000.json", "--device", "cpu", "--out", "results/x", "--seeds", "1,2"]).Errors);
        foreach (var option in new[] { "--device", "--out", "--seeds" }) Assert.Contains(option, strings);
    }
}
