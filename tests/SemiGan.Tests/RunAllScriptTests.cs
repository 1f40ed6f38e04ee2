using System.Collections;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Language;
using System.Management.Automation.Runspaces;
using SemiGan.Cli;

namespace SemiGan.Tests;

/// <summary>
/// run-all.ps1 runs in-process on the PowerShell engine (Microsoft.PowerShell.SDK) with <c>dotnet</c> replaced by a
/// function (PowerShell resolves functions before applications) that records every argument list and returns the
/// exit code the test asks for. Nothing is built or trained.
/// </summary>
public class RunAllScriptTests
{
    static readonly string ScriptPath = Path.Combine(RepoRoot.Path, "run-all.ps1");
    static readonly string Cli = Path.Combine("src", "SemiGan.Cli");

    const string Stub = """
        $global:DotnetCalls = [System.Collections.Generic.List[object]]::new()
        function global:dotnet {
            $call = [string[]] $args
            $global:DotnetCalls.Add($call)
            $global:LASTEXITCODE = if ($global:DotnetFailWhen -and $call -contains $global:DotnetFailWhen) { 1 } else { 0 }
        }
        """;

    sealed record ScriptRun(List<string[]> Calls, string? Error)
    {
        /// <summary>The arguments after <c>--</c> of every <c>dotnet run</c> call (what the CLI gets).</summary>
        public List<string[]> CliCalls => Calls.Skip(1).Select(c => c[(Array.IndexOf(c, "--") + 1)..]).ToList();
    }

    /// <summary>Runs the script with the given parameters, as typed after <c>./run-all.ps1</c> in PowerShell,
    /// or (when <paramref name="arguments"/> is null) bound from <paramref name="parameters"/> as strings, the way
    /// <c>pwsh -File run-all.ps1 ...</c> hands them over.</summary>
    static ScriptRun Run(string? arguments, string? failWhen = null, IDictionary? parameters = null)
    {
        var state = InitialSessionState.CreateDefault2();
        if (OperatingSystem.IsWindows()) state.ExecutionPolicy = Microsoft.PowerShell.ExecutionPolicy.Bypass;
        string cwd = Directory.GetCurrentDirectory(); // the script's Set-Location moves the process too
        using var ps = PowerShell.Create(state);
        try
        {
            ps.Runspace.SessionStateProxy.SetVariable("DotnetFailWhen", failWhen);
            ps.AddScript(Stub).Invoke();
            ps.Commands.Clear();
            if (arguments is not null) ps.AddScript($"& '{ScriptPath.Replace("'", "''")}' {arguments}");
            else ps.AddCommand(ScriptPath).AddParameters(parameters);
            string? error = null;
            try { ps.Invoke(); }
            catch (RuntimeException e) { error = e.Message; }
            if (error is null && ps.Streams.Error.Count > 0) error = string.Join("; ", ps.Streams.Error);
            var calls = ((IEnumerable)ps.Runspace.SessionStateProxy.GetVariable("DotnetCalls")).Cast<string[]>().ToList();
            return new ScriptRun(calls, error);
        }
        finally { Directory.SetCurrentDirectory(cwd); }
    }

    static string[] BuildCall(string backend) => ["build", Cli, "-c", "Release", $"-p:TorchBackend={backend}"];

    static string[] RunPrefix(string backend) => ["run", "--project", Cli, "-c", "Release", "--no-build", $"-p:TorchBackend={backend}", "--"];

    static string[] Experiment(string name, string device, string outRoot, string? seeds = null) =>
        ["run", Path.Combine("experiments", name + ".json"), "--device", device, "--out", Path.Combine(outRoot, name),
         .. seeds is null ? Array.Empty<string>() : ["--seeds", seeds]];

    /// <summary>One line per call, arguments with spaces quoted, so a failure shows exactly what differs.</summary>
    static string Show(IEnumerable<string[]> calls) =>
        string.Join("\n", calls.Select(c => string.Join(" ", c.Select(a => a.Contains(' ') || a == "" ? $"'{a}'" : a))));

    static void AssertPipeline(ScriptRun run, string backend, string device, string outRoot, string[] experiments, string? seeds)
    {
        Assert.Null(run.Error);
        Assert.Equal(BuildCall(backend), run.Calls[0]);
        Assert.All(run.Calls.Skip(1), c => Assert.Equal(RunPrefix(backend), c[..(Array.IndexOf(c, "--") + 1)]));
        string[][] expected =
        [
            ["data", "fetch"],
            .. experiments.Select(e => Experiment(e, device, outRoot, seeds)),
            ["report", outRoot],
        ];
        Assert.Equal(Show(expected), Show(run.CliCalls));
        // Every argument list the script hands the CLI must be accepted by the CLI's own parser.
        var root = CliApp.Build();
        Assert.All(run.CliCalls, c => Assert.Empty(root.Parse(c).Errors));
    }

    [Fact]
    public void Script_parses_without_errors()
    {
        Parser.ParseFile(ScriptPath, out _, out ParseError[] errors);
        Assert.True(errors.Length == 0, string.Join("; ", errors.Select(e => $"{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void By_default_builds_for_cpu_then_fetches_runs_both_experiments_in_order_and_reports_last()
    {
        var run = Run("");
        AssertPipeline(run, "cpu", "auto", Path.Combine("results", "run-all"), ["seed-1000", "sweep-labels"], seeds: null);
        foreach (var name in new[] { "seed-1000", "sweep-labels", "quick" })
            Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "experiments", name + ".json")), name);
    }

    [Fact]
    public void Device_cuda_builds_and_runs_the_cuda_backend_and_seeds_reach_the_cli_comma_joined()
    {
        string outRoot = Path.Combine(Path.GetTempPath(), "semigan run-all"); // never written: dotnet is a stub
        var run = Run($"-Device cuda -Seeds 1,2,3 -OutRoot '{outRoot}'");
        AssertPipeline(run, "cuda", "cuda", outRoot, ["seed-1000", "sweep-labels"], seeds: "1,2,3");
    }

    [Fact]
    public void Device_cpu_and_quick_build_for_cpu_and_run_only_the_quick_experiment()
    {
        var run = Run("-Device cpu -Quick -Seeds 7");
        AssertPipeline(run, "cpu", "cpu", Path.Combine("results", "run-all"), ["quick"], seeds: "7");
    }

    [Fact]
    public void Answer_runs_the_tuning_and_the_five_answer_experiments_in_order_and_refuses_quick_beside_it()
    {
        string[] answer = ["tune-supervised", "tune-supervised-2", "claim-1000", "claim-100", "fm-100", "fm-100-cnn", "fashion"];
        var run = Run("-Answer");
        AssertPipeline(run, "cpu", "auto", Path.Combine("results", "run-all"), answer, seeds: null);
        foreach (var name in answer)
            Assert.True(File.Exists(Path.Combine(RepoRoot.Path, "experiments", name + ".json")), name);

        // -Seeds reaches the answer's experiments, not the tuning, whose seeds are held out from them.
        var seeded = Run("-Answer -Seeds 1,2");
        Assert.Null(seeded.Error);
        Assert.Equal(Show(answer.Select(e => Experiment(e, "auto", Path.Combine("results", "run-all"), e.StartsWith("tune-") ? null : "1,2"))),
            Show(seeded.CliCalls.Where(c => c[0] == "run")));

        var both = Run("-Answer -Quick");
        Assert.Contains("pass one of them", both.Error);
        Assert.Empty(both.Calls);
    }

    [Fact]
    public void Seeds_given_through_pwsh_File_arrive_as_one_string_and_still_reach_the_cli_as_a_list()
    {
        var run = Run(null, parameters: new Hashtable { ["Seeds"] = "1,2,3", ["Quick"] = true });
        AssertPipeline(run, "cpu", "auto", Path.Combine("results", "run-all"), ["quick"], seeds: "1,2,3");

        var bad = Run(null, parameters: new Hashtable { ["Seeds"] = "1;rm" });
        Assert.Contains("Seeds", bad.Error);
        Assert.Empty(bad.Calls);
    }

    [Fact]
    public void A_failing_step_stops_the_script_with_an_error_naming_the_step()
    {
        string sweep = Path.Combine("experiments", "sweep-labels.json");
        var run = Run("", failWhen: sweep);
        Assert.NotNull(run.Error);
        Assert.Contains("experiment sweep-labels failed (exit code 1)", run.Error);
        Assert.Equal(4, run.Calls.Count); // build, fetch, seed-1000, sweep-labels; no report
        Assert.Contains(sweep, run.Calls[^1]);

        var build = Run("-Quick", failWhen: "build");
        Assert.Contains("build failed (exit code 1)", build.Error);
        Assert.Single(build.Calls);

        var report = Run("-Quick", failWhen: "report");
        Assert.Contains("report failed (exit code 1)", report.Error);
        Assert.Equal(4, report.Calls.Count);
    }

    /// <summary>Evaluates the CLI project (no restore, no build) with <c>dotnet msbuild -getProperty/-getItem</c>.</summary>
    static System.Text.Json.JsonElement Evaluate(params string[] properties)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = RepoRoot.Path, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var a in new[] { "msbuild", Cli, "-p:Configuration=Release", "-getProperty:OutputPath",
                     "-getProperty:BaseIntermediateOutputPath", "-getProperty:MSBuildProjectExtensionsPath", "-getItem:Compile" }
                     .Concat(properties.Select(p => "-p:" + p)))
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, stdout + stderr.Result);
        return System.Text.Json.JsonDocument.Parse(stdout).RootElement.Clone();
    }

    static string Property(System.Text.Json.JsonElement e, string name) =>
        e.GetProperty("Properties").GetProperty(name).GetString()!.Replace('\\', '/');

    [Fact]
    public void A_cuda_build_has_its_own_bin_and_obj_and_a_cpu_build_keeps_bin_and_obj()
    {
        string projectDir = Path.Combine(RepoRoot.Path, Cli).Replace('\\', '/');
        foreach (var cpu in new[] { Evaluate(), Evaluate("TorchBackend=cpu") })
        {
            Assert.Equal("bin/Release/net10.0/", Property(cpu, "OutputPath"));
            Assert.Equal("obj/", Property(cpu, "BaseIntermediateOutputPath"));
            Assert.Equal(projectDir + "/obj/", Property(cpu, "MSBuildProjectExtensionsPath"));
        }
        var cuda = Evaluate("TorchBackend=cuda");
        Assert.Equal("bin/cuda/Release/net10.0/", Property(cuda, "OutputPath"));
        Assert.Equal("obj/cuda/", Property(cuda, "BaseIntermediateOutputPath"));
        Assert.Equal(projectDir + "/obj/cuda/", Property(cuda, "MSBuildProjectExtensionsPath")); // restore assets apart too
        // The cpu build this test runs after left generated .cs files under obj/: the cuda build must not compile them.
        Assert.Contains(Directory.EnumerateFiles(Path.Combine(RepoRoot.Path, Cli, "obj"), "*.cs", SearchOption.AllDirectories), _ => true);
        var compiled = cuda.GetProperty("Items").GetProperty("Compile").EnumerateArray()
            .Select(i => i.GetProperty("Identity").GetString()!.Replace('\\', '/')).ToList();
        Assert.NotEmpty(compiled);
        Assert.DoesNotContain(compiled, f => f.StartsWith("obj/") || f.StartsWith("bin/"));
    }
}
